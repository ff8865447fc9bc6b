"""Report mutations: the phone app saves each kind (draft or submitted), withdraws and
deletes drafts; kelurahan staff decide. Every one calls a ``backend.reports.services``
function; refusals come back as typed errors, never as a half-done change."""

from __future__ import annotations

import enum
from dataclasses import fields as dataclass_fields
from datetime import date, time

import strawberry
from django.utils.translation import gettext as _
from strawberry.file_uploads import Upload
from strawberry.types import Info

from backend.common.errors import Code, DomainError
from backend.reports import selectors, services
from backend.reports.choices import Kind
from graphql_schema import enums
from graphql_schema.errors import FieldErrorType, WarningType, camel
from graphql_schema.fields import record_id
from graphql_schema.permissions import IsAuthenticated, actor_of
from graphql_schema.reports.types import (
    ActivityCategory,
    DeathCause,
    DeathCertifier,
    DeathPlace,
    FollowUp,
    GotongRoyongType,
    Housing,
    InformantRelationship,
    Institution,
    IssueCategory,
    IssueType,
    ReportDeletePayload,
    ReportPayload,
    ReportSavePayload,
    StayEndReason,
    StayPurpose,
)

_AUTH = [IsAuthenticated]
# Input fields every kind shares; the rest of an input is the kind's details.
_COMMON = {"client_key", "rt_code", "report_date", "note", "draft", "photos", "remove_photo_ids"}


# Where the services name a field otherwise than the inputs do: a reference the
# input sends as an id (the detail's ``stay`` is the input's ``stayId``), the RT
# the input sends as a code.
_INPUT_NAMES = {
    "rt": "rt_code",
    "stay": "stay_id",
    "host_household": "host_household_id",
    "resident": "resident_id",
}


def input_field(name: str | None, data=None) -> str | None:
    """The input field an error or warning concerns, as the client spells it
    (``participants``, ``reportDate``, ``stayId``, ``photos.0``).

    The deceased is chosen by id or by NIK: an error on them names the one the
    client sent.
    """
    if not name:
        return name
    head, dot, rest = name.partition(".")
    by_nik = getattr(data, "resident_nik", None) and not getattr(data, "resident_id", None)
    if head == "resident" and by_nik:
        head = "resident_nik"
    return camel(_INPUT_NAMES.get(head, head)) + dot + rest


def errors_of(exc: DomainError, data=None) -> list[FieldErrorType]:
    """Typed errors naming the input field as the client spells it (camelCase)."""
    return [
        FieldErrorType(code=p.code, field=input_field(p.field, data), message=p.render())
        for p in exc.problems
    ]


def _warnings_of(problems, data) -> list:
    return [
        WarningType(code=p.code, field=input_field(p.field, data), message=p.render())
        for p in problems
    ]


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _as_id(value) -> int:
    """A record id from the client, or -1 (found nowhere) when it cannot be one."""
    pk = record_id(value)
    return -1 if pk is None else pk


def _details(data) -> dict:
    out = {}
    for f in dataclass_fields(data):
        if f.name in _COMMON:
            continue
        value = getattr(data, f.name)
        if value is strawberry.UNSET:
            continue
        if f.name.endswith("_id") and value is not None:
            value = _as_id(value)
        if isinstance(value, time) and value.tzinfo is not None:
            raise DomainError(
                Code.INVALID,
                _("Write the time without a time zone: times are WITA."),
                field=f.name,
            )
        out[f.name] = _plain(value)
    return out


# -- inputs --------------------------------------------------------------------


@strawberry.input(description="What every report carries.")
class ReportInputBase:
    client_key: str = strawberry.field(
        description=(
            "Chosen by the app once per report (e.g. a UUID) and sent with every save of "
            "it: a retried request returns the first result and creates nothing new."
        )
    )
    rt_code: str | None = strawberry.field(
        default=None, description="Needed only by a Ketua RT of more than one RT."
    )
    report_date: date | None = strawberry.field(
        default=None, description="The day the report is for (default today, WITA)."
    )
    note: str = ""
    draft: bool = strawberry.field(
        default=False, description="Save without sending it to the kelurahan."
    )


@strawberry.input
class PhotoInputMixin:
    photos: list[Upload] | None = strawberry.field(
        default=None,
        description="JPEG, PNG or WebP photos (multipart request); EXIF is removed.",
    )
    remove_photo_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Photos of this report (while editable) to remove."
    )


@strawberry.input(name="ActivityReportInput")
class ActivityReportInput(ReportInputBase, PhotoInputMixin):
    category: ActivityCategory
    title: str
    place: str
    participants: int
    start_time: time | None = None
    description: str = ""


@strawberry.input(name="DeathReportInput")
class DeathReportInput(ReportInputBase):
    resident_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deceased, picked from the RT's residents."
    )
    resident_nik: str | None = strawberry.field(default=None, description="Or the deceased's NIK.")
    death_date: date
    death_time: time | None = None
    place: DeathPlace
    place_detail: str = ""
    cause: DeathCause | None = None
    certifier: DeathCertifier | None = None
    informant_name: str
    informant_relationship: InformantRelationship
    informant_nik: str = ""
    burial_place: str = ""
    burial_date: date | None = None


@strawberry.input(name="StayArrivalReportInput")
class StayStartReportInput(ReportInputBase):
    nik: str = strawberry.field(default="", description="Required for an Indonesian citizen.")
    passport_number: str = strawberry.field(default="", description="For a foreign citizen.")
    name: str
    sex: enums.Sex
    birth_place: str = ""
    birth_date: date
    citizenship: enums.Citizenship = enums.Citizenship.WNI
    occupation: enums.Occupation | None = None
    phone: str = ""
    origin_address: str
    purpose: StayPurpose
    purpose_note: str = ""
    housing: Housing | None = None
    host_household_id: strawberry.ID | None = strawberry.field(
        default=None, description="The household they stay with, in this RT."
    )
    host_address: str = strawberry.field(
        default="", description="Or the address in the RT (kos, kontrakan)."
    )
    host_name: str = ""
    start_date: date
    expected_end_date: date | None = None


@strawberry.input(name="StayEndReportInput")
class StayEndReportInput(ReportInputBase):
    stay_id: strawberry.ID
    end_date: date
    reason: StayEndReason


@strawberry.input(name="GotongRoyongReportInput")
class GotongRoyongReportInput(ReportInputBase, PhotoInputMixin):
    activity_type: GotongRoyongType
    title: str
    place: str
    institutions: list[Institution] = strawberry.field(default_factory=list)
    participants: int
    output: str = ""
    labour_value: int = 0
    materials_value: int = 0
    cash_value: int = 0
    government_value: int = 0
    is_bbgrm: bool = False
    description: str = ""


@strawberry.input(name="IssueReportInput")
class IssueReportInput(ReportInputBase, PhotoInputMixin):
    issue_type: IssueType
    category: IssueCategory
    title: str
    location: str
    description: str


@strawberry.input(name="NihilReportInput")
class NihilReportInput(ReportInputBase):
    pass


# -- resolvers -------------------------------------------------------------------


def _save(info: Info, kind: str, data) -> ReportSavePayload:
    photos = getattr(data, "photos", None) or []
    remove = [_as_id(i) for i in getattr(data, "remove_photo_ids", None) or []]
    try:
        result = services.report_save(
            actor=actor_of(info),
            kind=kind,
            client_key=data.client_key,
            rt=data.rt_code,
            report_date=data.report_date,
            note=data.note,
            details=_details(data),
            photo_uploads=photos,
            remove_photo_ids=remove,
            submit=not data.draft,
        )
    except DomainError as exc:
        return ReportSavePayload(
            report=None, created=False, replayed=False, errors=errors_of(exc, data), warnings=[]
        )
    return ReportSavePayload(
        report=result.report,
        created=result.created,
        replayed=result.replayed,
        errors=[],
        warnings=_warnings_of(result.warnings, data),
    )


def _on_report(info: Info, id, service, **kwargs) -> ReportPayload:
    actor = actor_of(info)
    try:
        report = selectors.report_get(actor=actor, pk=id)
        report = service(actor=actor, report=report, **kwargs)
    except DomainError as exc:
        return ReportPayload(report=None, errors=errors_of(exc))
    return ReportPayload(report=report, errors=[])


_SAVE_DESCRIPTION = (
    "Save a {what} report and send it to the kelurahan (or keep it as a draft). The same "
    "clientKey again changes that report while it is a draft or sent back for revision."
)


@strawberry.type
class ReportsMutation:
    @strawberry.mutation(
        permission_classes=_AUTH, description=_SAVE_DESCRIPTION.format(what="residents' activity")
    )
    def report_activity_save(self, info: Info, input: ActivityReportInput) -> ReportSavePayload:
        return _save(info, Kind.ACTIVITY, input)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description=_SAVE_DESCRIPTION.format(what="death")
        + " Approval marks the resident deceased.",
    )
    def report_death_save(self, info: Info, input: DeathReportInput) -> ReportSavePayload:
        return _save(info, Kind.DEATH, input)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description=_SAVE_DESCRIPTION.format(what="non-permanent resident's arrival")
        + " Approval opens the stay.",
    )
    def report_stay_arrival_save(
        self, info: Info, input: StayStartReportInput
    ) -> ReportSavePayload:
        return _save(info, Kind.STAY_START, input)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description=_SAVE_DESCRIPTION.format(what="end-of-stay") + " Approval closes the stay.",
    )
    def report_stay_end_save(self, info: Info, input: StayEndReportInput) -> ReportSavePayload:
        return _save(info, Kind.STAY_END, input)

    @strawberry.mutation(
        permission_classes=_AUTH, description=_SAVE_DESCRIPTION.format(what="gotong royong")
    )
    def report_gotong_royong_save(
        self, info: Info, input: GotongRoyongReportInput
    ) -> ReportSavePayload:
        return _save(info, Kind.GOTONG_ROYONG, input)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description=_SAVE_DESCRIPTION.format(what="problem, need or potential"),
    )
    def report_issue_save(self, info: Info, input: IssueReportInput) -> ReportSavePayload:
        return _save(info, Kind.ISSUE, input)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description="Report that nothing happened that day; it counts as reported at once.",
    )
    def report_nihil_save(self, info: Info, input: NihilReportInput) -> ReportSavePayload:
        return _save(info, Kind.NIHIL, input)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description="Send a draft, or a report sent back for revision, unchanged.",
    )
    def report_submit(self, info: Info, id: strawberry.ID) -> ReportPayload:
        return _on_report(info, id, services.report_submit)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description="Take back a report waiting for a decision; it becomes a draft.",
    )
    def report_withdraw(self, info: Info, id: strawberry.ID) -> ReportPayload:
        return _on_report(info, id, services.report_withdraw)

    @strawberry.mutation(permission_classes=_AUTH, description="Delete a draft.")
    def report_delete(self, info: Info, id: strawberry.ID) -> ReportDeletePayload:
        actor = actor_of(info)
        try:
            services.report_delete(actor=actor, report=selectors.report_get(actor=actor, pk=id))
        except DomainError as exc:
            return ReportDeletePayload(deleted=False, errors=errors_of(exc))
        return ReportDeletePayload(deleted=True, errors=[])

    @strawberry.mutation(
        permission_classes=_AUTH,
        description="Approve a report (kelurahan staff, Lurah) and apply its effect.",
    )
    def report_approve(self, info: Info, id: strawberry.ID) -> ReportPayload:
        return _on_report(info, id, services.report_approve)

    @strawberry.mutation(
        permission_classes=_AUTH, description="Reject a report, with the reason for the RT."
    )
    def report_reject(self, info: Info, id: strawberry.ID, reason: str) -> ReportPayload:
        return _on_report(info, id, services.report_reject, reason=reason)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description="Send a report back to its Ketua RT to correct, with the reason.",
    )
    def report_request_revision(self, info: Info, id: strawberry.ID, reason: str) -> ReportPayload:
        return _on_report(info, id, services.report_request_revision, reason=reason)

    @strawberry.mutation(
        permission_classes=_AUTH,
        description="Move an approved issue's follow-up (kelurahan staff, Lurah).",
    )
    def report_issue_follow_up_set(
        self, info: Info, id: strawberry.ID, status: FollowUp, note: str = ""
    ) -> ReportPayload:
        return _on_report(info, id, services.issue_follow_up_set, status=_plain(status), note=note)
