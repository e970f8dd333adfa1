"""The rollout's records. ``campaigns`` holds the campaign, its four phases, the deliverables'
deadlines and the spot checks; ``filings`` holds what each organisation files: its
implementation plan, its leading group and working body, its phase summaries and their problems."""

from .campaigns import *  # noqa: F401,F403
from .checks import *  # noqa: F401,F403
from .filings import *  # noqa: F401,F403
