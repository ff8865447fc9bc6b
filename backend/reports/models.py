"""Lapor RT reports: one ``Report`` row per report, one detail table per kind.

Why a detail table per kind rather than one JSON column: every kind has its
own typed fields with database constraints (counts are not negative, a death
report points at a real resident and protects it from deletion, a stay end
points at a real stay), the admin and GraphQL map the columns directly, and
figures such as BBGRM contributions per kelurahan are plain SQL sums. A
nihil report has no details.

The ``state`` field moves only through the transitions declared in
``backend.reports.workflow`` (django-fsm-2, protected field). Every write
goes through ``backend.reports.services``.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backend.common.masking import mask_nik
from backend.common.models import TimeStampedModel
from backend.population import codes
from backend.reports import choices
from backend.reports.choices import Kind, State
from backend.reports.workflow import TRANSITIONS
from backend.wilayah.models import RT

#: Realistic maxima for one RT's activity or gotong royong; more is a typing
#: slip. Three community amounts of at most Rp 500 juta each keep their sum
#: (GraphQL ``communityValue``) within a 32-bit GraphQL Int for every reader.
MAX_PARTICIPANTS = 10_000
MAX_AMOUNT = 500_000_000


class Report(ConcurrentTransitionMixin, TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    state = FSMField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, protected=True
    )
    rt = models.ForeignKey(
        "wilayah.RT", on_delete=models.PROTECT, related_name="reports", verbose_name=_("RT")
    )
    report_date = models.DateField(
        _("report date"), help_text=_("The day the report is for; it counts for that day.")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("reported by"),
    )
    client_key = models.CharField(
        _("client key"),
        max_length=64,
        help_text=_(
            "Chosen by the phone app once per report, so a retried request changes nothing."
        ),
    )
    content_hash = models.CharField(_("content fingerprint"), max_length=64, blank=True)
    # The fingerprint of the content as last submitted: a late retry of that submission
    # (same client key, same content) is a replay even after a revision request.
    submitted_hash = models.CharField(
        _("fingerprint when submitted"), max_length=64, blank=True, editable=False
    )
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-report_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "client_key"],
                name="report_client_key_unique_per_reporter",
                violation_error_message=_("This client key was already used."),
            ),
            # Among sent reports: a draft was never sent (and only its reporter
            # reads it), a rejected report was not accepted.
            models.UniqueConstraint(
                fields=["rt", "report_date"],
                condition=Q(kind=Kind.NIHIL) & ~Q(state__in=[State.REJECTED, State.DRAFT]),
                name="one_nihil_report_per_rt_and_day",
                violation_error_message=_("This RT already reported nothing for that day."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[State.REJECTED, State.REVISION_REQUESTED])
                | ~Q(decision_reason=""),
                name="report_decision_has_reason",
                violation_error_message=_("A rejection or a revision request needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["rt", "report_date", "state"], name="report_rt_date_state_idx"),
            models.Index(fields=["report_date", "state"], name="report_date_state_idx"),
            models.Index(fields=["state", "submitted_at"], name="report_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    # -- transitions (declared in backend.reports.workflow.TRANSITIONS) -------------

    @transition(field=state, **TRANSITIONS["submit"].fsm())
    def submit(self) -> None:
        self.submitted_at = timezone.now()
        self.submitted_hash = self.content_hash
        self.decided_at = None
        self.decided_by = None

    @transition(field=state, **TRANSITIONS["withdraw"].fsm())
    def withdraw(self) -> None:
        pass

    @transition(field=state, **TRANSITIONS["approve"].fsm())
    def approve(self, *, by) -> None:
        self._decide(by, "")

    @transition(field=state, **TRANSITIONS["approve_automatically"].fsm())
    def approve_automatically(self) -> None:
        self._decide(None, "")

    @transition(field=state, **TRANSITIONS["reject"].fsm())
    def reject(self, *, by, reason: str) -> None:
        self._decide(by, reason)

    @transition(field=state, **TRANSITIONS["request_revision"].fsm())
    def request_revision(self, *, by, reason: str) -> None:
        self._decide(by, reason)

    def _decide(self, by, reason: str) -> None:
        self.decided_at = timezone.now()
        self.decided_by = by
        self.decision_reason = reason

    @property
    def is_decided(self) -> bool:
        return self.state in choices.DECIDED_STATES

    def delete(self, *args, **kwargs):
        """A decided report is a record: no door deletes it (``report_delete`` takes
        drafts only; this guards every other path that holds an instance)."""
        if self.is_decided:
            from backend.common.errors import DomainError

            raise DomainError(
                "already_decided", _("A decided report cannot be deleted."), field="id"
            )
        return super().delete(*args, **kwargs)

    @property
    def label(self) -> str:
        """A label without personal data, for audit events and messages."""
        return f"{Report._meta.verbose_name} #{self.pk}"

    def detail(self):
        """The kind's detail row (None for nihil)."""
        name = DETAIL_RELATION.get(self.kind)
        return getattr(self, name, None) if name else None


def photo_path(instance: ReportPhoto, filename: str) -> str:
    # The stored name never carries the uploaded file name (it may hold personal data).
    today = timezone.localdate()
    return f"reports/{today:%Y/%m}/{uuid.uuid4().hex}.jpg"


class ReportPhoto(models.Model):
    """A photo, re-encoded as JPEG without metadata (no EXIF location)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report")
    )
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveIntegerField(_("size in bytes"))
    source_sha256 = models.CharField(
        _("fingerprint of the upload"),
        max_length=64,
        help_text=_("The same upload twice to one report is stored once."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "source_sha256"], name="report_photo_once_per_report"
            )
        ]

    def __str__(self) -> str:
        return f"{ReportPhoto._meta.verbose_name} #{self.pk}"


class Detail(models.Model):
    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, primary_key=True, verbose_name=_("report")
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.report)


class ActivityDetail(Detail):
    """Kegiatan warga: the activity takes place on the report date."""

    category = models.CharField(
        _("category"), max_length=20, choices=choices.ActivityCategory.choices
    )
    title = models.CharField(_("activity"), max_length=150)
    place = models.CharField(_("place"), max_length=200)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("participants"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("activity details")
        verbose_name_plural = _("activity details")
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__lte=MAX_PARTICIPANTS),
                name="activity_participants_realistic",
            )
        ]


class DeathDetail(Detail):
    """Laporan kematian. Approval marks the resident deceased from ``death_date``."""

    resident = models.ForeignKey(
        "population.Resident",
        on_delete=models.PROTECT,
        related_name="death_reports",
        verbose_name=_("deceased"),
    )
    death_date = models.DateField(_("date of death"))
    death_time = models.TimeField(_("time of death"), null=True, blank=True)
    place = models.CharField(_("place of death"), max_length=20, choices=choices.DeathPlace.choices)
    place_detail = models.CharField(_("place details"), max_length=200, blank=True)
    cause = models.PositiveSmallIntegerField(
        _("cause"), choices=choices.DeathCause.choices, null=True, blank=True
    )
    certifier = models.PositiveSmallIntegerField(
        _("certified by"), choices=choices.DeathCertifier.choices, null=True, blank=True
    )
    informant_name = models.CharField(_("informant's name"), max_length=150)
    informant_relationship = models.CharField(
        _("informant's relationship"),
        max_length=20,
        choices=choices.ReporterRelationship.choices,
    )
    informant_nik = models.CharField(_("informant's NIK"), max_length=16, blank=True)
    burial_place = models.CharField(_("burial place"), max_length=200, blank=True)
    burial_date = models.DateField(_("burial date"), null=True, blank=True)

    class Meta:
        verbose_name = _("death details")
        verbose_name_plural = _("death details")
        indexes = [models.Index(fields=["resident"], name="death_detail_resident_idx")]


class StayPerson(models.Model):
    """Who stays and where: the Buku Penduduk Sementara fields (Permendagri 47/2016)."""

    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    passport_number = models.CharField(_("passport number"), max_length=30, blank=True)
    name = models.CharField(_("full name"), max_length=150)
    sex = models.PositiveSmallIntegerField(_("sex"), choices=codes.Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    citizenship = models.PositiveSmallIntegerField(
        _("citizenship"), choices=codes.Citizenship.choices, default=codes.Citizenship.WNI
    )
    occupation = models.PositiveSmallIntegerField(
        _("occupation"), choices=codes.Occupation.choices, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    origin_address = models.CharField(_("origin address"), max_length=255)
    purpose = models.CharField(_("purpose"), max_length=20, choices=choices.StayPurpose.choices)
    purpose_note = models.CharField(_("purpose details"), max_length=200, blank=True)
    housing = models.CharField(
        _("housing"), max_length=20, choices=choices.Housing.choices, blank=True
    )
    host_household = models.ForeignKey(
        "population.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("host household"),
    )
    host_address = models.CharField(_("address in the RT"), max_length=255, blank=True)
    host_name = models.CharField(_("host or landlord"), max_length=150, blank=True)
    start_date = models.DateField(_("arrival date"))
    expected_end_date = models.DateField(_("expected end date"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class StayStartDetail(Detail, StayPerson):
    class Meta:
        verbose_name = _("arrival details")
        verbose_name_plural = _("arrival details")

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class NonPermanentStay(StayPerson, TimeStampedModel):
    """A non-permanent resident's stay in an RT, opened and closed by approved reports.

    Stays are their own register (Buku Penduduk Sementara), never Resident
    rows: the person keeps their KK elsewhere (often in this same city), so
    they are counted apart from the RT's residents everywhere. One person may
    come back for several stays, but has at most one open stay.
    """

    rt = models.ForeignKey(
        "wilayah.RT", on_delete=models.PROTECT, related_name="stays", verbose_name=_("RT")
    )
    opened_by = models.OneToOneField(
        Report,
        on_delete=models.PROTECT,
        related_name="opened_stay",
        verbose_name=_("arrival report"),
    )
    closed_by = models.OneToOneField(
        Report,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_stay",
        verbose_name=_("end-of-stay report"),
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=choices.StayEndReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("non-permanent resident stay")
        verbose_name_plural = _("non-permanent resident stays")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nik"],
                condition=Q(end_date__isnull=True) & ~Q(nik=""),
                name="one_open_stay_per_nik",
                violation_error_message=_("This person already has an open stay."),
            ),
            models.UniqueConstraint(
                fields=["passport_number"],
                condition=Q(end_date__isnull=True) & ~Q(passport_number=""),
                name="one_open_stay_per_passport",
                violation_error_message=_("This person already has an open stay."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="stay_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["rt", "end_date"], name="stay_rt_open_idx"),
            models.Index(fields=["nik"], name="stay_nik_idx"),
        ]

    def __str__(self) -> str:
        return f"{NonPermanentStay._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None


class StayEndDetail(Detail):
    stay = models.ForeignKey(
        NonPermanentStay,
        on_delete=models.PROTECT,
        related_name="end_reports",
        verbose_name=_("stay"),
    )
    end_date = models.DateField(_("end date"))
    reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=choices.StayEndReason.choices
    )

    class Meta:
        verbose_name = _("end-of-stay details")
        verbose_name_plural = _("end-of-stay details")


class GotongRoyongDetail(Detail):
    """Gotong royong, with the BBGRM flag; contributions are in rupiah."""

    activity_type = models.CharField(
        _("activity type"), max_length=20, choices=choices.GotongRoyongType.choices
    )
    title = models.CharField(_("activity"), max_length=150)
    place = models.CharField(_("place"), max_length=200)
    institutions = models.JSONField(
        _("institutions involved"), default=list, blank=True, help_text=_("Institution codes.")
    )
    participants = models.PositiveIntegerField(_("participants"))
    output = models.CharField(
        _("output"), max_length=255, blank=True, help_text=_("What was done, e.g. 200 m of drains.")
    )
    labour_value = models.PositiveBigIntegerField(_("labour contributed (Rp)"), default=0)
    materials_value = models.PositiveBigIntegerField(_("materials contributed (Rp)"), default=0)
    cash_value = models.PositiveBigIntegerField(_("cash contributed (Rp)"), default=0)
    government_value = models.PositiveBigIntegerField(_("government funds (Rp)"), default=0)
    is_bbgrm = models.BooleanField(_("BBGRM"), default=False)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("gotong royong details")
        verbose_name_plural = _("gotong royong details")
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__lte=MAX_PARTICIPANTS)
                & Q(labour_value__lte=MAX_AMOUNT)
                & Q(materials_value__lte=MAX_AMOUNT)
                & Q(cash_value__lte=MAX_AMOUNT)
                & Q(government_value__lte=MAX_AMOUNT),
                name="gotong_royong_figures_realistic",
            )
        ]

    @property
    def community_value(self) -> int:
        return self.labour_value + self.materials_value + self.cash_value


class IssueDetail(Detail):
    """Permasalahan, kebutuhan or potensi, with a follow-up status kelurahan staff move."""

    issue_type = models.CharField(_("type"), max_length=20, choices=choices.IssueType.choices)
    category = models.CharField(_("category"), max_length=20, choices=choices.IssueCategory.choices)
    title = models.CharField(_("title"), max_length=150)
    location = models.CharField(_("location"), max_length=200)
    description = models.TextField(_("description"))
    follow_up = models.CharField(
        _("follow-up"),
        max_length=20,
        choices=choices.FollowUp.choices,
        default=choices.FollowUp.NEW,
    )
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    follow_up_at = models.DateTimeField(_("follow-up changed at"), null=True, blank=True)
    follow_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up changed by"),
    )

    class Meta:
        verbose_name = _("issue details")
        verbose_name_plural = _("issue details")


DETAIL_MODELS: dict[str, type[Detail]] = {
    Kind.ACTIVITY: ActivityDetail,
    Kind.DEATH: DeathDetail,
    Kind.STAY_START: StayStartDetail,
    Kind.STAY_END: StayEndDetail,
    Kind.GOTONG_ROYONG: GotongRoyongDetail,
    Kind.ISSUE: IssueDetail,
}
DETAIL_RELATION: dict[str, str] = {
    kind: model._meta.get_field("report").remote_field.get_accessor_name()
    for kind, model in DETAIL_MODELS.items()
}


# -- admin entry points --------------------------------------------------------


class ReportQueue(Report):
    """The reports waiting for a decision, as the admin's approval queue."""

    class Meta:
        proxy = True
        verbose_name = _("approval queue")
        verbose_name_plural = _("approval queue")


class RTCompliance(RT):
    """RTs seen through their reporting record: the admin's compliance page."""

    class Meta:
        proxy = True
        verbose_name = _("RT reporting compliance")
        verbose_name_plural = _("RT reporting compliance")
