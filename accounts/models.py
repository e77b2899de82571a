from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from config.text import validate_plain_text


class UserManager(BaseUserManager):
    """Users sign in with their email address; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def with_address(self, address: str):
        """The account of this email address in any case (``Bob@Example.org`` is bob@example.org), folded as
        the lockout counter folds it (accounts.views.axes_username): PostgreSQL's case-insensitive match
        (`UPPER`) took ``tım@`` (a dotless ı) for tim@, a spelling with a lockout counter of its own."""
        return self.alias(folded=Lower(self.model.USERNAME_FIELD)).filter(folded=address.lower())

    def lock(self, user) -> None:
        """Hold the account's row until the transaction ends, so what is counted per account (invitations,
        corrections asked for) is counted by one request at a time, each after the others' commits."""
        self.select_for_update().filter(pk=user.pk).exists()

    def get_by_natural_key(self, username):
        """Sign-in."""
        return self.with_address(username).get()

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("email address"), unique=True)
    # A name is shown to co-editors and partners: nothing in it may hide or reorder it (sign-up, admin).
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[validate_plain_text]
    )
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[validate_plain_text])
    # When the holder of the address proved it (the link emailed at sign-up, or a password reset): until then
    # the account may be anyone's who typed the address, and no one can make it a co-editor.
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    email_confirmation_sent_at = models.DateTimeField(_("confirmation link sent"), null=True, blank=True)
    password_reset_sent_at = models.DateTimeField(_("password reset link sent"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email
