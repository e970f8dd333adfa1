"""The workflow engine: records with a life cycle move through a transition table of their own
(``engine``); the versioned review of catalogues, breakdowns and responsibility sets is one such
table (``review``), with the abstract version and event models in ``models``."""
