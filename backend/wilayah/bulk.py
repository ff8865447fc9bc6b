"""Adding RTs (and RWs) to a kelurahan in bulk, from an RT list import.

An RT is added or, when it exists, its Ketua RT name and active flag are
brought in line with the file; nothing is deleted and an RT missing from the
file is left alone (a city split is decided by people, not by a missing row).
The actor must hold ``Cap.REGION_CHANGE`` over the whole kelurahan. Every
change writes its audit event, in bulk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.roles import Cap
from backend.audit.models import Action
from backend.audit.services import build_event, diff, record_many, snapshot
from backend.common.errors import Code, Problem
from backend.wilayah.models import RT, RW, Kelurahan

NEW, UPDATED, UNCHANGED, INVALID = "new", "updated", "unchanged", "invalid"


@dataclass(slots=True)
class RtInput:
    ref: int
    kelurahan: Kelurahan
    number: int
    rw: int | None = None
    # Only the columns the file has.
    fields: dict = field(default_factory=dict)


@dataclass(slots=True)
class RtOutcome:
    ref: int
    action: str = UNCHANGED
    errors: list[Problem] = field(default_factory=list)


def rt_bulk_upsert(
    *, actor, rows: list[RtInput], write: bool, cap: str = Cap.REGION_CHANGE
) -> tuple[list[RtOutcome], Counter]:
    """Check (and with ``write`` apply) a batch of RT rows; returns outcomes and RW counts."""
    scope = actor.scope
    outcomes = [RtOutcome(ref=r.ref) for r in rows]
    kelurahan_ids = {r.kelurahan.pk for r in rows}
    rws = {
        (rw.kelurahan_id, rw.number): rw for rw in RW.objects.filter(kelurahan_id__in=kelurahan_ids)
    }
    existing = {
        (rt.kelurahan_id, rt.rw.number if rt.rw_id else None, rt.number): rt
        for rt in RT.objects.filter(kelurahan_id__in=kelurahan_ids).select_related("rw")
    }
    new_rws: dict[tuple[int, int], RW] = {}
    creates, updates = [], []
    for inp, out in zip(rows, outcomes, strict=True):
        if not scope.can_in_kelurahan(cap, inp.kelurahan):
            out.errors.append(
                Problem(
                    Code.OUT_OF_SCOPE,
                    _("You may not change the RT list of %(kelurahan)s.")
                    % {"kelurahan": inp.kelurahan},
                    "kelurahan",
                )
            )
            out.action = INVALID
            continue
        key = (inp.kelurahan.pk, inp.rw, inp.number)
        current = existing.get(key)
        if current is None:
            rt = RT(
                kelurahan=inp.kelurahan,
                number=inp.number,
                code=RT.make_code(inp.kelurahan.code, inp.number, inp.rw),
                ketua_name=inp.fields.get("ketua_name") or "",
                is_active=inp.fields.get("is_active", True) is not False,
            )
            if inp.rw is not None:
                rw_key = (inp.kelurahan.pk, inp.rw)
                rt.rw = rws.get(rw_key) or new_rws.setdefault(
                    rw_key, RW(kelurahan=inp.kelurahan, number=inp.rw)
                )
            out.action = NEW
            creates.append(rt)
            continue
        changed = {}
        if "ketua_name" in inp.fields and (inp.fields["ketua_name"] or "") != current.ketua_name:
            changed["ketua_name"] = inp.fields["ketua_name"] or ""
        if inp.fields.get("is_active") is not None and inp.fields["is_active"] != current.is_active:
            changed["is_active"] = inp.fields["is_active"]
        if changed:
            out.action = UPDATED
            updates.append((current, changed))
    rw_counts = Counter({NEW: len(new_rws)})
    if write:
        _write(actor, creates, updates, list(new_rws.values()))
    return outcomes, rw_counts


def _write(actor, creates: list[RT], updates: list[tuple[RT, dict]], new_rws: list[RW]) -> None:
    events = []
    RW.objects.bulk_create(new_rws)
    for rw in new_rws:
        after = snapshot(rw)
        events.append(
            build_event(
                actor=actor,
                action=Action.CREATED,
                instance=rw,
                changes=diff({}, after),
                snapshot=after,
                kelurahan=rw.kelurahan,
                note="import",
            )
        )
    for rt in creates:
        if rt.rw is not None:
            rt.rw_id = rt.rw.pk
    RT.objects.bulk_create(creates)
    for rt in creates:
        after = snapshot(rt)
        events.append(
            build_event(
                actor=actor,
                action=Action.CREATED,
                instance=rt,
                changes=diff({}, after),
                snapshot=after,
                rt=rt,
                note="import",
            )
        )
    if updates:
        fields = sorted({name for _rt, changed in updates for name in changed})
        befores = [snapshot(rt) for rt, _c in updates]
        now = timezone.now()
        for rt, changed in updates:
            for name, value in changed.items():
                setattr(rt, name, value)
            rt.updated_at = now
        RT.objects.bulk_update([rt for rt, _c in updates], [*fields, "updated_at"])
        for (rt, _c), before in zip(updates, befores, strict=True):
            after = snapshot(rt)
            events.append(
                build_event(
                    actor=actor,
                    action=Action.UPDATED,
                    instance=rt,
                    changes=diff(before, after),
                    snapshot=after,
                    rt=rt,
                    note="import",
                )
            )
    record_many(events)
