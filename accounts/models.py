import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from accounts.blind_index import email_blind_index, email_blind_indexes, normalize_email
from accounts.roles import HANDLER_ROLES, Role, person_display_name
from complaints_project import encrypted_fields as encrypted


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email_hash__in=email_blind_indexes(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **extra)


# The pgcrypto-encrypted columns of a user. Reads that only need who the caller is and what
# they may do (authentication, permissions, visibility) leave them out: see ``refresh_from_db``.
PERSONAL_FIELDS = ("email", "full_name", "phone")


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the product. Email, name and phone are encrypted with pgcrypto."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = encrypted.EncryptedEmailField()
    email_hash = models.CharField(max_length=64, unique=True, editable=False)
    full_name = encrypted.EncryptedCharField(max_length=200)
    phone = encrypted.EncryptedCharField(max_length=32, blank=True, default="")
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.CUSTOMER, db_index=True
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)
    # None until the owner opens the verification link (self-service sign-ups only; accounts
    # created by staff, and those older than verification, count as verified).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # IANA zone name the person reads times in; "" means the organisation's TIME_ZONE.
    time_zone = models.CharField(max_length=64, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["date_joined"]

    def __str__(self) -> str:
        # No name here: the admin's log keeps ``str(obj)`` in plain text, out of reach of
        # encryption and erasure. Screens name people with ``display_name``.
        return f"{self.get_role_display()} {self.id}"

    def save(self, *args, **kwargs):
        # Derived columns: kept in step with the source fields on every save.
        self.email = normalize_email(self.email)
        self.email_hash = email_blind_index(self.email)
        self.is_staff = self.role in HANDLER_ROLES
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        """Load a deferred personal field together with the other deferred ones.

        Authentication reads the user without them (``accounts.selectors``); the first use of
        any of them (a profile, an email) then costs one query for all three, not one each.
        """
        if fields is not None and set(fields) <= set(PERSONAL_FIELDS):
            deferred = self.get_deferred_fields()
            fields = [*fields, *(f for f in PERSONAL_FIELDS if f in deferred and f not in fields)]
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    @property
    def is_handler(self) -> bool:
        return self.role in HANDLER_ROLES

    @property
    def display_name(self) -> str:
        """How the app and its admin name this person to others (the one place it is built).

        Staff by name and title ("Ann Lee (Support agent)"), or the title alone when no name
        is set; customers by their name, or "Customer".
        """
        return person_display_name(full_name=self.full_name, role=self.role)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class BrowserSession(models.Model):
    """A signed-in browser: the opaque secret of an HttpOnly cookie, mapped to its user.

    Created after a login (``ticket`` only), bound to the browser when the browser redeems the
    ticket (``secret``), and traded for fresh JWTs when the front end reloads. Only SHA-256
    digests of the ticket and the secret are stored.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    ticket_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    ticket_expires_at = models.DateTimeField(null=True)
    secret_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="browser_session_live")]

    def __str__(self) -> str:
        return f"Browser session {self.id} of {self.user_id}"


class EmailOptOut(models.Model):
    """The user turned email off for one notification kind (``accounts.notification_kinds``).

    Only the exceptions are stored: a kind without a row is emailed.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once")]

    def __str__(self) -> str:
        return f"No {self.kind} emails for {self.user_id}"
