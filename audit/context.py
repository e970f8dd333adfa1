"""The request behind the current unit of work, so that services can stamp audit events with the
address and agent without every call passing the request down."""

from contextvars import ContextVar
from dataclasses import dataclass

from toolkit.client import client_address


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


_current: ContextVar[RequestContext] = ContextVar("audit_request_context", default=RequestContext())


def current() -> RequestContext:
    return _current.get()


def from_request(request) -> RequestContext:
    return RequestContext(
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        path=request.path[:255],
    )


def bind(context: RequestContext):
    return _current.set(context)


def unbind(token) -> None:
    _current.reset(token)
