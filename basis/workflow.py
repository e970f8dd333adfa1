"""The life cycle of an instrument proposal on the workflow engine: pending until the
legal-affairs office confirms it (a new instrument), merges it with an instrument the registry
already has, or refuses it. Every decision leaves the proposal for good."""

from workflow.engine import Rule, TransitionTable

from . import permissions as basis_perms
from .models import ProposalStatus, ProposalTransition

_PENDING = (ProposalStatus.PENDING,)

PROPOSAL = TransitionTable(
    states=ProposalStatus,
    transitions=ProposalTransition,
    rules={
        ProposalTransition.CONFIRM: Rule(_PENDING, ProposalStatus.CONFIRMED, basis_perms.can_decide_proposal),
        ProposalTransition.MERGE: Rule(_PENDING, ProposalStatus.MERGED, basis_perms.can_decide_proposal),
        ProposalTransition.REFUSE: Rule(_PENDING, ProposalStatus.REFUSED, basis_perms.can_decide_proposal),
    },
    touch=("updated_at",),
)
