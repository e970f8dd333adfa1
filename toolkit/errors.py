"""The one base class of business refusals, and the one place that maps it to an HTTP answer."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """Base for refusals a service makes for a business reason (a wrong state transition, a
    rule of the tree). The message is shown to the user as is; ``status_code`` is the API's
    answer (409 unless a subclass says otherwise)."""

    status_code = status.HTTP_409_CONFLICT


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: a domain error answers its own status with its message; a
    model validation error is a 400 with the messages by field."""
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc)}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
