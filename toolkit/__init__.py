"""The ground every app stands on and that knows no app: domain errors and their HTTP mapping,
pagination, small helpers. Nothing here imports a project app or ``config``."""
