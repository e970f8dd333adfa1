from workflow.review import WorkflowError


class AuthorityError(WorkflowError):
    """A write refused for a reason the user can act on (shown as is)."""
