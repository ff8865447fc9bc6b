"""Showing audit events to people: labels, coded values, WITA times, masked numbers.

The trail stores raw values (field names, SIAK codes, ids, ISO dates, full
NIK/KK). ``EventPresenter`` turns them into what a kelurahan clerk reads: the
field's Indonesian label, the code's label ("Laki-laki"), the related
record's label ("RT 001"), "04 Desember 2026", "04 Desember 2026 09.15 WITA".

Personal data follows the rules GraphQL and the record pages keep:

- NIK and KK numbers are masked for every viewer, by default. A presenter
  made with ``reveal=True`` shows them in full where the viewer holds
  ``Cap.POPULATION_VIEW_NIK`` over the event's region; only the audited
  reveal view (``admin_config.audit``) makes one, after recording the reveal.
- Birth dates are hidden, and passport/KITAS numbers masked, for viewers
  without ``Cap.POPULATION_VIEW_NIK`` over the event's region (a birth date
  is the masked part of a NIK). Those who hold it see them, as on GraphQL.

One presenter serves a whole page or export and caches what it looked up, so
a list costs a bounded number of queries.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from backend.accounts.roles import Cap
from backend.audit.models import AuditEvent
from backend.common.masking import mask_number

# Personal numbers: masked for everyone unless revealed on purpose (NIK, KK number), or
# for viewers without Cap.POPULATION_VIEW_NIK (passport and KITAS numbers).
REVEAL_FIELD_NAMES = frozenset({"nik", "no_kk", "reporter_nik", "subject_nik", "informant_nik"})
IDENTITY_NUMBER_FIELD_NAMES = frozenset({"passport_number", "kitas_number"})
MASKED_FIELD_NAMES = REVEAL_FIELD_NAMES | IDENTITY_NUMBER_FIELD_NAMES
# Dates of birth: hidden from viewers without Cap.POPULATION_VIEW_NIK.
BIRTH_DATE_FIELD_NAMES = frozenset({"birth_date"})
# Labels of the keys of non-field changes (exports, refusals, reveals).
INFO_LABELS = {
    "format": gettext_lazy("file format"),
    "rows": gettext_lazy("rows"),
    "filters": gettext_lazy("filters"),
    "unmasked": gettext_lazy("numbers unmasked"),
    "operation": gettext_lazy("operation"),
    "code": gettext_lazy("error code"),
    "message": gettext_lazy("message"),
    "field": gettext_lazy("field"),
    "event": gettext_lazy("audit event"),
    "changes": gettext_lazy("changes"),
}
# What each kind of record is called in the trail (the timeline's entity column and
# filter, the detail page, the export); other models use their verbose name.
ENTITY_NAMES = {
    "population.resident": pgettext_lazy("audit entity", "Resident"),
    "population.household": pgettext_lazy("audit entity", "Family card"),
    "reports.report": pgettext_lazy("audit entity", "Report"),
    "reports.reportphoto": pgettext_lazy("audit entity", "Report photo"),
    "reports.nonpermanentstay": pgettext_lazy("audit entity", "Non-permanent resident"),
    "accounts.user": pgettext_lazy("audit entity", "User"),
    "accounts.roleassignment": pgettext_lazy("audit entity", "Role assignment"),
    "accounts.apitoken": pgettext_lazy("audit entity", "API token"),
    "audit.auditevent": pgettext_lazy("audit entity", "Audit trail"),
    "imports.importjob": pgettext_lazy("audit entity", "Import"),
}
WITA = "WITA"
# The fixed notes services write, shown in the reader's language.
NOTE_LABELS = {
    "household moved": gettext_lazy("moved with the household (KK) to another RT"),
    "replaced": gettext_lazy("replaced by a new login on the same device"),
    "api token": gettext_lazy("API token login (phone app)"),
    "django-axes lockout": gettext_lazy("locked out after repeated failed logins"),
    "audit trail": gettext_lazy("numbers shown from the audit trail"),
    "import": gettext_lazy("spreadsheet import"),
    "historical import": gettext_lazy("import of earlier reports"),
    "password changed": gettext_lazy("revoked because the password changed"),
    "seed_demo --reset": gettext_lazy("demo data reset"),
    "automatic": gettext_lazy("automatically (nothing-to-report reports need no review)"),
    "follow-up": gettext_lazy("follow-up status"),
    "residents": gettext_lazy("residents"),
    "households": gettext_lazy("households (KK)"),
    "rt_list": gettext_lazy("RT list"),
    "reports": gettext_lazy("RT reports"),
}
_ROWS_NOTE = re.compile(r"^(\d+) (failed )?rows( unmasked)?$")
_FIELD_NOTE = re.compile(r"^field=(\w+)$")
_RESTORED_NOTE = re.compile(r"^restored from audit event #(\d+) \(seq (\d+)\)$")


_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


def note_text(note: str) -> str:
    if note in NOTE_LABELS:
        return str(NOTE_LABELS[note])
    match = _RESTORED_NOTE.match(note or "")
    if match:
        return _("restored from audit event #%(event)s") % {"event": match.group(1)}
    match = _ROWS_NOTE.match(note or "")
    if match:
        n = int(match.group(1))
        if match.group(2):
            return ngettext("%(n)d failed row", "%(n)d failed rows", n) % {"n": n}
        text = ngettext("%(n)d row", "%(n)d rows", n) % {"n": n}
        return _("%(rows)s, full NIK and KK numbers") % {"rows": text} if match.group(3) else text
    match = _FIELD_NOTE.match(note or "")
    if match:
        return _("field: %(field)s") % {"field": match.group(1)}
    return note


def format_wita(value: dt.datetime | None) -> str:
    """ "04 Desember 2026 09.15 WITA": the active language's format ends with the zone."""
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def format_time_wita(value: dt.time | str | None) -> str:
    """A local time as Indonesians write it: "21.15 WITA" (times of day are WITA)."""
    if value in (None, ""):
        return "—"
    if not isinstance(value, dt.time):
        try:
            value = dt.time.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return f"{value.strftime('%H.%M')} {WITA}"


def is_masked_field(name: str) -> bool:
    return name in MASKED_FIELD_NAMES or name.endswith("_nik")


def is_reveal_field(name: str) -> bool:
    """A NIK or KK number: masked for every viewer unless revealed on purpose."""
    return name in REVEAL_FIELD_NAMES or name.endswith("_nik") or name.endswith("_no_kk")


def is_birth_date_field(name: str) -> bool:
    return name in BIRTH_DATE_FIELD_NAMES or name.endswith("_birth_date")


@dataclass
class ChangeRow:
    name: str
    label: str
    before: str
    after: str
    is_pair: bool = True


# Models whose fields an entity's events also hold (a report's event holds its
# kind's detail fields): ``describe_fields_with(Report, *DETAIL_MODELS.values())``.
_FIELD_SOURCES: dict[type, tuple[type, ...]] = {}


def describe_fields_with(model, *others, chooser=None) -> None:
    """Label and show the values of ``model``'s events with the fields of ``others`` too.

    ``chooser(event)`` names the one of ``others`` that describes a given event
    (a report's kind decides whether "place" is an activity's place or a place
    of death, a coded choice); without it, or when it answers None, the first
    of ``others`` holding the field does.
    """
    _FIELD_SOURCES[model] = (*_FIELD_SOURCES.get(model, ()), *others)
    if chooser is not None:
        _FIELD_CHOOSERS[model] = chooser


_FIELD_CHOOSERS: dict[Any, Any] = {}


def model_field(model, name: str, event: AuditEvent | None = None):
    """The concrete field ``name`` of ``model`` (or of a model registered for it), else None."""
    if model is None:
        return None
    sources = (model, *_FIELD_SOURCES.get(model, ()))
    chooser = _FIELD_CHOOSERS.get(model)
    chosen = chooser(event) if chooser is not None and event is not None else None
    if chosen is not None:
        sources = (model, chosen, *sources[1:])
    for source in sources:
        try:
            field = source._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(field, "concrete", False):
            return field
    return None


def _reverse_relations(model) -> dict[str, Any]:
    """Reverse relations (a report's photos) by accessor name, labelled by the related model."""
    return {
        rel.get_accessor_name(): rel.related_model._meta.verbose_name_plural
        for rel in model._meta.related_objects
    }


def _model_for(entity_type: str) -> type[models.Model] | None:
    if not entity_type or "." not in entity_type:
        return None
    try:
        return apps.get_model(entity_type)
    except (LookupError, ValueError):
        return None


def _changes_of(event: AuditEvent) -> dict[str, Any]:
    """``event.field_changes()``, or its stored changes as one value if they are not a dict."""
    try:
        changes = event.field_changes()
    except AttributeError:  # a snapshot that is not a dict
        changes = event.changes
    if isinstance(changes, dict):
        return {str(k): v for k, v in changes.items()}
    return {"changes": changes} if changes not in (None, "", [], {}) else {}


def _snapshot_of(event: AuditEvent) -> dict[str, Any]:
    snapshot = event.snapshot
    if isinstance(snapshot, dict):
        return {str(k): v for k, v in snapshot.items()}
    return {}


class EventPresenter:
    """Renders events for one viewer; reuse it for every event of a page or file."""

    def __init__(self, viewer, *, reveal: bool = False) -> None:
        self.viewer = viewer
        # Full NIK/KK numbers where the viewer may see them: only for an audited reveal.
        self.reveal = reveal
        self._related: dict[tuple[type[models.Model], Any], str] = {}
        self._rts: dict[int, Any] = {}
        self._kelurahan: dict[int, Any] = {}
        self._numbers_visible: dict[tuple[Any, Any, Any], bool] = {}

    # -- who may see numbers -------------------------------------------------

    def numbers_visible(self, event: AuditEvent) -> bool:
        """Whether the viewer holds ``Cap.POPULATION_VIEW_NIK`` over the event's region."""
        key = (event.rt_id, event.kelurahan_id, event.kecamatan_id)
        if key not in self._numbers_visible:
            self._numbers_visible[key] = self._compute_numbers_visible(event)
        return self._numbers_visible[key]

    def _compute_numbers_visible(self, event: AuditEvent) -> bool:
        scope = getattr(self.viewer, "scope", None)
        if scope is None:
            return False
        if scope.is_superuser:
            return True
        if not scope.has(Cap.POPULATION_VIEW_NIK):
            return False
        from backend.wilayah.models import RT, Kelurahan

        if event.rt_id:
            rt = RT.objects.select_related("kelurahan__kecamatan").filter(pk=event.rt_id).first()
            return rt is not None and scope.can(Cap.POPULATION_VIEW_NIK, rt)
        if event.kelurahan_id:
            kel = Kelurahan.objects.select_related("kecamatan").filter(pk=event.kelurahan_id)
            kelurahan = kel.first()
            return kelurahan is not None and scope.can_in_kelurahan(
                Cap.POPULATION_VIEW_NIK, kelurahan
            )
        return False

    # -- labels ----------------------------------------------------------------

    @staticmethod
    def model_of(event: AuditEvent) -> type[models.Model] | None:
        return _model_for(event.entity_type)

    @classmethod
    def entity_type_name(cls, entity_type: str) -> str:
        """ "Penduduk", "Kartu Keluarga", "Laporan": a kind of record, in the active language."""
        if entity_type in ENTITY_NAMES:
            return str(ENTITY_NAMES[entity_type])
        model = _model_for(entity_type)
        return capfirst(str(model._meta.verbose_name)) if model else entity_type

    def entity_name(self, event: AuditEvent) -> str:
        return self.entity_type_name(event.entity_type) if event.entity_type else ""

    def entity_label(self, event: AuditEvent) -> str:
        """ "Penduduk #12" in the viewer's language (the stored label as a fallback)."""
        model = self.model_of(event)
        if model is not None and event.entity_id:
            return f"{self.entity_name(event)} #{event.entity_id}"
        if model is not None:
            return self.entity_name(event)
        return event.entity_label

    def field_label(self, model, name: str, event: AuditEvent | None = None) -> str:
        field = model_field(model, name, event)
        if field is not None:
            return capfirst(str(field.verbose_name))
        if model is not None and name in _reverse_relations(model):
            return capfirst(str(_reverse_relations(model)[name]))
        if name in INFO_LABELS:
            return capfirst(str(INFO_LABELS[name]))
        return name

    @staticmethod
    def _in_field_order(model, items):
        """``(name, value)`` pairs in the model's field order (the form's order), others after."""
        if model is None:
            return list(items)
        order = {f.name: i for i, f in enumerate(model._meta.concrete_fields)}
        return sorted(items, key=lambda item: order.get(item[0], len(order)))

    # -- values ----------------------------------------------------------------

    def nik_shown(self, event: AuditEvent) -> bool:
        """Whether NIK/KK numbers of ``event`` are shown in full (an audited reveal)."""
        return self.reveal and self.numbers_visible(event)

    def has_numbers(self, event: AuditEvent) -> bool:
        """Whether ``event`` holds a NIK or KK number that is shown masked."""
        for name, raw in [*_changes_of(event).items(), *_snapshot_of(event).items()]:
            if is_reveal_field(name) and raw not in (None, "", [None, None]):
                return True
            if _SIXTEEN_DIGITS.search(str(raw)):
                return True
        return False

    def may_reveal(self, event: AuditEvent) -> bool:
        """Whether to offer the viewer an audited "show NIK" for this event."""
        return self.numbers_visible(event) and self.has_numbers(event)

    def value(self, event: AuditEvent, model, name: str, raw: Any) -> str:
        if raw is None or raw == "":
            return "—"
        name = str(name)
        if is_reveal_field(name) and not self.nik_shown(event):
            return mask_number(str(raw))
        if is_masked_field(name) and not self.numbers_visible(event):
            return mask_number(str(raw))
        if is_birth_date_field(name) and not self.numbers_visible(event):
            return _("(hidden)")
        try:
            return self._value(event, model, name, raw)
        except (TypeError, ValueError, ValidationError, LookupError):
            # An odd stored value (a list where an id was expected, an impossible date):
            # shown as it is, numbers masked, rather than breaking the page or the file.
            return self._plain(self._mask_numbers(event, raw))

    def _value(self, event: AuditEvent, model, name: str, raw: Any) -> str:
        field = model_field(model, name, event)
        if field is None:
            return self._plain(self._mask_numbers(event, raw))
        if field.is_relation and field.many_to_one:
            return self._related_label(field.related_model, raw)
        if field.choices:
            return str(dict(field.flatchoices).get(raw, raw))
        if isinstance(field, models.BooleanField):
            return _("Yes") if raw else _("No")
        if isinstance(field, models.DateTimeField):
            parsed = parse_datetime(str(raw))
            return format_wita(parsed) if parsed else str(raw)
        if isinstance(field, models.DateField):
            parsed = parse_date(str(raw))
            return formats.date_format(parsed, "DATE_FORMAT") if parsed else str(raw)
        if isinstance(field, models.TimeField):
            return format_time_wita(raw)
        return self._plain(raw)

    def _mask_numbers(self, event: AuditEvent, raw: Any) -> Any:
        """Mask 16-digit numbers in free values (export filters, messages) like NIK/KK fields."""
        if self.nik_shown(event):
            return raw
        if isinstance(raw, str):
            return _SIXTEEN_DIGITS.sub(lambda m: mask_number(m.group(0)), raw)
        if isinstance(raw, dict):
            return {k: self._mask_numbers(event, v) for k, v in raw.items()}
        if isinstance(raw, list):
            return [self._mask_numbers(event, v) for v in raw]
        return raw

    @staticmethod
    def _plain(raw: Any) -> str:
        if isinstance(raw, bool):
            return _("Yes") if raw else _("No")
        if isinstance(raw, dict):
            return ", ".join(f"{k}={v}" for k, v in raw.items()) or "—"
        if isinstance(raw, list):
            return ", ".join(str(v) for v in raw)
        return str(raw)

    def _related_label(self, model, pk: Any) -> str:
        key = (model, pk)
        if key not in self._related:
            obj = model._default_manager.filter(pk=pk).first()
            # str() of a household masks its KK number; of an RT gives "RT 001".
            self._related[key] = str(obj) if obj is not None else f"#{pk}"
        return self._related[key]

    # -- rows --------------------------------------------------------------------

    def change_rows(self, event: AuditEvent) -> list[ChangeRow]:
        model = self.model_of(event)
        rows = []
        for name, value in self._in_field_order(model, _changes_of(event).items()):
            label = self.field_label(model, name, event)
            if isinstance(value, list) and len(value) == 2 and model is not None:
                rows.append(
                    ChangeRow(
                        name,
                        label,
                        self.value(event, model, name, value[0]),
                        self.value(event, model, name, value[1]),
                    )
                )
            else:
                rows.append(ChangeRow(name, label, "", self.value(event, None, name, value), False))
        return rows

    def snapshot_rows(self, event: AuditEvent) -> list[ChangeRow]:
        model = self.model_of(event)
        return [
            ChangeRow(
                name, self.field_label(model, name, event), "", self.value(event, model, name, raw)
            )
            for name, raw in self._in_field_order(model, _snapshot_of(event).items())
            if name not in ("created_at", "updated_at")
        ]

    def restore_rows(self, event: AuditEvent, current) -> list[ChangeRow]:
        """What restoring ``event``'s version would change on ``current`` (all of it if deleted)."""
        from backend.audit.services import snapshot

        model = self.model_of(event)
        now = snapshot(current) if current is not None else {}
        version = _snapshot_of(event)
        rows = []
        for name, raw in self._in_field_order(model, version.items()):
            if name in ("id", "created_at", "updated_at") or now.get(name) == raw:
                continue
            rows.append(
                ChangeRow(
                    name,
                    self.field_label(model, name, event),
                    self.value(event, model, name, now.get(name)),
                    self.value(event, model, name, raw),
                )
            )
        return rows

    def note(self, event: AuditEvent) -> str:
        """The event's note in the reader's language (services write fixed English notes)."""
        return note_text(event.note)

    def changes_text(self, event: AuditEvent) -> str:
        """One line for exports: "Nama: A → B; Agama: Islam → Kristen"."""
        parts = []
        for row in self.change_rows(event):
            if row.is_pair:
                parts.append(f"{row.label}: {row.before} → {row.after}")
            else:
                parts.append(f"{row.label}: {row.after}")
        return "; ".join(parts)
