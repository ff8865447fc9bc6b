"""``rt_create`` / ``rt_update``: kelurahan offices keep their own RT list, audited."""

from __future__ import annotations

import pytest

from backend.audit.models import Action, AuditEvent
from backend.common.errors import Code, DomainError
from backend.wilayah.services import rt_create, rt_update

pytestmark = pytest.mark.django_db


def test_a_kelurahan_office_adds_an_rt_with_its_code_and_audit(actors, regions):
    rt = rt_create(actor=actors.staf_kelurahan, kelurahan=regions.karang_rejo, number=88)
    assert rt.code == "64.71.04.1003.088"
    assert AuditEvent.objects.get(action=Action.CREATED).entity_id == str(rt.pk)


@pytest.mark.parametrize("who", ["ketua_rt_1", "camat", "staf_kecamatan", "lurah_karang_jati"])
def test_other_roles_may_not_add_rts_to_karang_rejo(actors, regions, who):
    with pytest.raises(DomainError) as exc:
        rt_create(actor=getattr(actors, who), kelurahan=regions.karang_rejo, number=88)
    assert exc.value.code == Code.OUT_OF_SCOPE
    assert not AuditEvent.objects.exists()


def test_the_city_administrator_may_change_any_kelurahans_rts(actors, regions):
    rt = regions.rt(regions.sepinggan, 1)
    rt_update(actor=actors.admin_kota, rt=rt, ketua_name="  Bu   Contoh ")
    rt.refresh_from_db()
    assert rt.ketua_name == "Bu Contoh"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": 2}, "number"),
        ({"number": 0}, "number"),
        ({"number": 1000}, "number"),
    ],
)
def test_bad_rt_changes_are_refused_and_write_nothing(actors, regions, changes, field):
    rt = regions.rt(regions.karang_rejo, 1)
    with pytest.raises(DomainError) as exc:
        rt_update(actor=actors.lurah, rt=rt, **changes)
    assert exc.value.field == field
    rt.refresh_from_db()
    assert rt.number == 1
    assert not AuditEvent.objects.exists()


def test_validity_must_not_end_before_it_starts(actors, regions):
    from datetime import date

    with pytest.raises(DomainError) as exc:
        rt_create(
            actor=actors.lurah,
            kelurahan=regions.karang_rejo,
            number=90,
            valid_from=date(2026, 5, 1),
            valid_until=date(2026, 4, 1),
        )
    assert exc.value.field == "valid_until"


def test_an_unchanged_rt_writes_no_audit_event(actors, regions):
    rt = regions.rt(regions.karang_rejo, 4)
    rt_update(actor=actors.lurah, rt=rt, number=4)
    assert not AuditEvent.objects.exists()
