"""Regions: Provinsi > Kota > Kecamatan > Kelurahan > (RW) > RT.

Codes above the RT are Kemendagri codes (``64.71.04.1003`` is Karang Rejo).
RTs are data, not code: the city splits kelurahan and RTs, so an RT keeps
its row (and its history) when it moves or is frozen. RW is optional;
Balikpapan has RTs directly under the kelurahan.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.common.models import TimeStampedModel

region_code_validator = RegexValidator(
    r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
    _("A Kemendagri region code looks like 64.71.04.1003."),
)


class Region(TimeStampedModel):
    code = models.CharField(
        _("Kemendagri code"), max_length=13, unique=True, validators=[region_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Provinsi(Region):
    class Meta(Region.Meta):
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")


class Kota(Region):
    provinsi = models.ForeignKey(
        Provinsi, on_delete=models.PROTECT, related_name="kota", verbose_name=_("provinsi")
    )

    class Meta(Region.Meta):
        verbose_name = _("kota/kabupaten")
        verbose_name_plural = _("kota/kabupaten")


class Kecamatan(Region):
    kota = models.ForeignKey(
        Kota, on_delete=models.PROTECT, related_name="kecamatan", verbose_name=_("kota")
    )

    class Meta(Region.Meta):
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return f"Kec. {self.name}"


class Kelurahan(Region):
    kecamatan = models.ForeignKey(
        Kecamatan,
        on_delete=models.PROTECT,
        related_name="kelurahan",
        verbose_name=_("kecamatan"),
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    rt_count_is_synthetic = models.BooleanField(
        _("synthetic RT list"),
        default=False,
        help_text=_("The RT list is a plausible placeholder, not the official list."),
    )

    class Meta(Region.Meta):
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self) -> str:
        return f"Kel. {self.name}"


class RW(TimeStampedModel):
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="rws", verbose_name=_("kelurahan")
    )
    number = models.PositiveSmallIntegerField(_("RW number"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("RW")
        verbose_name_plural = _("RW")
        ordering = ["kelurahan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kelurahan", "number"], name="rw_number_unique"),
        ]

    def __str__(self) -> str:
        return f"RW {self.number:03d}"


class RT(TimeStampedModel):
    """A neighbourhood unit; its number is unique within its RW, or its kelurahan without one."""

    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="rts", verbose_name=_("kelurahan")
    )
    rw = models.ForeignKey(
        RW,
        on_delete=models.PROTECT,
        related_name="rts",
        null=True,
        blank=True,
        verbose_name=_("RW"),
    )
    number = models.PositiveSmallIntegerField(_("RT number"))
    code = models.CharField(
        _("code"),
        max_length=24,
        unique=True,
        help_text=_("Kelurahan code plus the RT number, e.g. 64.71.04.1003.005."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Frozen or merged RTs are kept, inactive.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        help_text=_("Placeholder RT made up for the demo, not an official RT."),
    )
    ketua_name = models.CharField(_("Ketua RT name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("RT")
        verbose_name_plural = _("RT")
        ordering = ["kelurahan_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "number"],
                condition=Q(rw__isnull=True),
                name="rt_number_unique_in_kelurahan",
            ),
            models.UniqueConstraint(
                fields=["rw", "number"],
                condition=Q(rw__isnull=False),
                name="rt_number_unique_in_rw",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="rt_number_positive"),
        ]

    def __str__(self) -> str:
        if self.rw_id:
            return f"RT {self.number:03d} / RW {self.rw.number:03d}"
        return f"RT {self.number:03d}"

    @property
    def label(self) -> str:
        return f"RT {self.number:03d}"

    @staticmethod
    def make_code(kelurahan_code: str, number: int, rw_number: int | None = None) -> str:
        if rw_number is None:
            return f"{kelurahan_code}.{number:03d}"
        return f"{kelurahan_code}.{rw_number:03d}.{number:03d}"
