import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from organisations.models import Organisation, OrganisationKind
from organisations.services import organisation_create

PASSWORD = "Test-Passw0rd-2026"


class OrganisationFactory(DjangoModelFactory):
    """Builds through organisation_create so that path and jurisdiction are set as in the app."""

    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Faker("company", locale="zh_CN")
    kind = OrganisationKind.DEPARTMENT
    parent = None

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        return organisation_create(parent=parent, **kwargs)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    role = Role.DEPARTMENT_EDITOR
    organisation = None
    password_changed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        obj.password_changed_at = timezone.now()
        if create:
            obj.save()
