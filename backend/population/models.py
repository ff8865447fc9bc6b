"""Households (Kartu Keluarga) and residents, with the SIAK fields.

Every write goes through ``backend.population.services``; the models hold
the shape and the database constraints that back the services up.
"""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.common.masking import mask_nik, mask_no_kk
from backend.common.models import TimeStampedModel
from backend.population import codes


class Household(TimeStampedModel):
    """A Kartu Keluarga: one household, identified by its 16-digit number."""

    no_kk = models.CharField(_("KK number"), max_length=16, unique=True)
    rt = models.ForeignKey(
        "wilayah.RT", on_delete=models.PROTECT, related_name="households", verbose_name=_("RT")
    )
    address = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    needs_update = models.BooleanField(
        _("needs update"),
        default=False,
        help_text=_("The KK must be reissued, e.g. because its head has died."),
    )
    needs_update_reason = models.CharField(_("reason for update"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("household (KK)")
        verbose_name_plural = _("households (KK)")
        ordering = ["no_kk"]
        indexes = [models.Index(fields=["rt", "no_kk"], name="household_rt_kk_idx")]

    def __str__(self) -> str:
        return f"KK {mask_no_kk(self.no_kk)}"


class Resident(TimeStampedModel):
    """A person on a KK (or, for a non-permanent resident, living in an RT without one)."""

    nik = models.CharField(
        _("NIK"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Empty while the resident has no NIK yet; never a made-up number."),
    )
    name = models.CharField(_("full name"), max_length=150)
    sex = models.PositiveSmallIntegerField(_("sex"), choices=codes.Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    religion = models.PositiveSmallIntegerField(
        _("religion"), choices=codes.Religion.choices, null=True, blank=True
    )
    education = models.PositiveSmallIntegerField(
        _("education"), choices=codes.Education.choices, null=True, blank=True
    )
    occupation = models.PositiveSmallIntegerField(
        _("occupation"), choices=codes.Occupation.choices, null=True, blank=True
    )
    marital_status = models.PositiveSmallIntegerField(
        _("marital status"), choices=codes.MaritalStatus.choices, default=codes.MaritalStatus.SINGLE
    )
    marriage_recorded = models.BooleanField(
        _("marriage recorded"),
        null=True,
        blank=True,
        help_text=_("Kawin tercatat (yes) or belum tercatat (no)."),
    )
    marriage_date = models.DateField(_("marriage date"), null=True, blank=True)
    relationship = models.PositiveSmallIntegerField(
        _("relationship to head"), choices=codes.Relationship.choices, null=True, blank=True
    )
    citizenship = models.PositiveSmallIntegerField(
        _("citizenship"), choices=codes.Citizenship.choices, default=codes.Citizenship.WNI
    )
    blood_type = models.PositiveSmallIntegerField(
        _("blood type"), choices=codes.BloodType.choices, default=codes.BloodType.UNKNOWN
    )
    passport_number = models.CharField(_("passport number"), max_length=30, blank=True)
    kitas_number = models.CharField(_("KITAS/KITAP number"), max_length=30, blank=True)
    father_name = models.CharField(_("father's name"), max_length=150, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=150, blank=True)
    status = models.PositiveSmallIntegerField(
        _("life status"), choices=codes.LifeStatus.choices, default=codes.LifeStatus.ALIVE
    )
    status_date = models.DateField(
        _("status date"), null=True, blank=True, help_text=_("Date of death, move or departure.")
    )
    residency = models.PositiveSmallIntegerField(
        _("residency"), choices=codes.Residency.choices, default=codes.Residency.PERMANENT
    )
    ikd_activated = models.BooleanField(_("IKD activated"), default=False)
    ikd_activated_on = models.DateField(_("IKD activation date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="residents",
        null=True,
        blank=True,
        verbose_name=_("household (KK)"),
    )
    rt = models.ForeignKey(
        "wilayah.RT",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("RT of domicile"),
    )

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship=codes.Relationship.HEAD, status=codes.LifeStatus.ALIVE),
                name="one_living_head_per_household",
                violation_error_message=_("This household already has a head."),
            ),
            models.CheckConstraint(
                condition=Q(nik__isnull=True) | Q(nik__regex=r"^[0-9]{16}$"),
                name="resident_nik_sixteen_digits",
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=True) | Q(relationship__isnull=False),
                name="resident_member_has_relationship",
            ),
        ]
        indexes = [
            models.Index(fields=["rt", "status"], name="resident_rt_status_idx"),
            models.Index(fields=["name"], name="resident_name_idx"),
            models.Index(fields=["birth_date"], name="resident_birth_date_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    @property
    def is_head(self) -> bool:
        return self.relationship == codes.Relationship.HEAD

    @property
    def is_alive(self) -> bool:
        return self.status == codes.LifeStatus.ALIVE

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years
