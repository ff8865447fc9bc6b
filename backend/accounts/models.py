"""Users, their role assignments and the phone app's API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import ROLE_LEVEL, Level, Role


class User(AbstractUser):
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="id",
        help_text=_("Language of the admin and of error messages for this user."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def scope(self):
        """The user's Scope, built once per user object (so once per request)."""
        cached = self.__dict__.get("_scope")
        if cached is None:
            from backend.accounts.scope import Scope

            cached = self.__dict__["_scope"] = Scope.for_user(self)
        return cached


class RoleAssignment(models.Model):
    """One role over one region: Ketua RT of an RT, Lurah of a kelurahan, and so on."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    rt = models.ForeignKey(
        "wilayah.RT", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("RT")
    )
    kelurahan = models.ForeignKey(
        "wilayah.Kelurahan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("kelurahan"),
    )
    kecamatan = models.ForeignKey(
        "wilayah.Kecamatan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("kecamatan"),
    )
    kota = models.ForeignKey(
        "wilayah.Kota", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("kota")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_region_matches_role",
                condition=(
                    Q(
                        role=Role.KETUA_RT,
                        rt__isnull=False,
                        kelurahan__isnull=True,
                        kecamatan__isnull=True,
                        kota__isnull=True,
                    )
                    | Q(
                        role__in=[Role.STAF_KELURAHAN, Role.LURAH],
                        rt__isnull=True,
                        kelurahan__isnull=False,
                        kecamatan__isnull=True,
                        kota__isnull=True,
                    )
                    | Q(
                        role__in=[Role.STAF_KECAMATAN, Role.CAMAT],
                        rt__isnull=True,
                        kelurahan__isnull=True,
                        kecamatan__isnull=False,
                        kota__isnull=True,
                    )
                    | Q(
                        role=Role.ADMIN_KOTA,
                        rt__isnull=True,
                        kelurahan__isnull=True,
                        kecamatan__isnull=True,
                        kota__isnull=False,
                    )
                ),
                violation_error_message=_("The region must match the role's level."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.region}"

    @property
    def level(self) -> str:
        return ROLE_LEVEL[self.role]

    @property
    def region(self):
        return {
            Level.RT: self.rt,
            Level.KELURAHAN: self.kelurahan,
            Level.KECAMATAN: self.kecamatan,
            Level.KOTA: self.kota,
        }[self.level]


class ApiToken(models.Model):
    """A revocable token for one device of the phone app; only its hash is stored."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("device name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
