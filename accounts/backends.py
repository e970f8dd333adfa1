"""The session's user, read with his organisation and its government in one query.

Every back-office page asks who the user works for (scope, menu, header) and most ask for his
government too; ``ModelBackend.get_user`` reads the user alone, so each signed-in request paid
two more queries for them. Login itself is ``ModelBackend``'s, unchanged."""

from django.contrib.auth.backends import ModelBackend, UserModel


class UserWithOrganisationBackend(ModelBackend):
    def get_user(self, user_id):
        user = (
            UserModel._default_manager.select_related("organisation", "organisation__jurisdiction")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
