from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    OFFICE_REVIEWER = "office_reviewer", _("Legal-affairs office reviewer")
    ESTABLISHMENT_REVIEWER = "establishment_reviewer", _("Establishment office reviewer")
    DEPARTMENT_EDITOR = "department_editor", _("Department editor")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    # 三员分立 (MLPS level 3): three administrators, none of whom can do another's work.
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


OFFICE_ROLES = frozenset({Role.OFFICE_REVIEWER, Role.ESTABLISHMENT_REVIEWER})
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_EDITOR, Role.DEPARTMENT_HEAD})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    # Blank until the security administrator approves the first RoleRequest (三员分立).
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self):
        """A role goes with a place: a reviewer sits in the office of that kind, a department user
        in an enforcement department, an administrator nowhere in particular."""
        super().clean()
        organisation = self.organisation
        if self.role in OFFICE_ROLES:
            wanted = "legal_affairs" if self.role == Role.OFFICE_REVIEWER else "establishment"
            if organisation is None or organisation.office_function != wanted:
                raise ValidationError({"organisation": _("Choose the office this reviewer works in.")})
        elif self.role in DEPARTMENT_ROLES:
            if organisation is None or organisation.kind != "department" or organisation.office_function:
                raise ValidationError(
                    {"organisation": _("Choose the enforcement department of this user.")}
                )

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """The hash of a password a user has had, so that a new one cannot go back to it
    (``accounts.validators.PasswordHistoryValidator``). Hashes only, never the password."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password"), max_length=128)
    created_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]


class RoleRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    SUPERSEDED = "superseded", _("Superseded")


class RoleRequest(models.Model):
    """A business role (with the organisation it goes with) that the system administrator wants
    an account to have. It takes effect only when the security administrator approves it, so the
    system administrator alone can never give an account access to business data (三员分立)."""

    user = models.ForeignKey(User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RoleRequestStatus.choices, default=RoleRequestStatus.PENDING
    )
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("role request")
        verbose_name_plural = _("role requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="one_pending_role_request_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.username} → {self.get_role_display()}"


class ApiToken(AbstractAuthToken):
    """A department system's API credential (django-rest-knox's token, swapped in through
    KNOX_TOKEN_MODEL to carry a name): only its SHA-512 digest is stored, and it expires."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user.username})"
