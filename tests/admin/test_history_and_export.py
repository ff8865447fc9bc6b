"""The record pages of the real admin: "Riwayat" (audit history) and scoped exports.

Resident, household and report pages get their audit history (scoped to the
reader's region, numbers masked for those who may not see them); the
resident and household lists export the selection or the filtered list, only
rows of the user's scope, numbers masked by default.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from backend.audit.models import Action, AuditEvent
from backend.common.masking import mask_nik
from backend.population import services as population_services
from backend.population.models import Resident
from backend.population.synthetic import make_nik
from tests.admin.conftest import admin_url, head_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed(actors, population):
    """A resident of Karang Rejo RT 001 whose NIK and name were changed through the service."""
    resident = head_of(population.rt1)
    old_nik = resident.nik
    new_nik = make_nik("647104", resident.sex, resident.birth_date, 4321)
    population_services.resident_update(
        actor=actors.lurah, resident=resident, name="Nama Baru", nik=new_nik
    )
    return Resident.objects.get(pk=resident.pk), old_nik, new_nik


def history(client, name: str, pk) -> object:
    return client.get(admin_url(f"{name}_history", pk))


# -- Riwayat ------------------------------------------------------------------------


def test_the_resident_page_links_its_history_for_those_who_read_the_audit(client, actors, renamed):
    resident, *_ = renamed
    client.force_login(actors.lurah)
    page = client.get(admin_url("population_resident_change", resident.pk)).content.decode()
    assert admin_url("population_resident_history", resident.pk) in page

    client.force_login(actors.ketua_rt_1)
    page = client.get(admin_url("population_resident_change", resident.pk)).content.decode()
    assert admin_url("population_resident_history", resident.pk) not in page
    assert history(client, "population_resident", resident.pk).status_code == 403


def test_resident_history_shows_full_numbers_to_the_lurah_and_masked_to_the_camat(
    client, actors, renamed
):
    resident, old_nik, new_nik = renamed

    client.force_login(actors.lurah)
    lurah_page = history(client, "population_resident", resident.pk).content.decode()
    client.force_login(actors.camat)
    camat_page = history(client, "population_resident", resident.pk).content.decode()

    assert "Nama Baru" in lurah_page and new_nik in lurah_page and old_nik in lurah_page
    assert "Nama Baru" in camat_page
    assert new_nik not in camat_page and old_nik not in camat_page
    assert mask_nik(new_nik) in camat_page and mask_nik(old_nik) in camat_page


def test_history_is_not_found_outside_the_readers_region(client, actors, renamed, population):
    resident, *_ = renamed
    client.force_login(actors.lurah_karang_jati)
    assert history(client, "population_resident", resident.pk).status_code == 404
    client.force_login(actors.camat_selatan)
    assert history(client, "population_household", population.rt1.pk).status_code == 404


def test_household_history_lists_its_changes(client, actors, population):
    household = population.rt1
    population_services.household_update(actor=actors.lurah, household=household, address="Jl. B")
    client.force_login(actors.staf_kelurahan)
    response = history(client, "population_household", household.pk)
    assert response.status_code == 200
    assert "Jl. B" in response.content.decode()
    assert any(row["restore_url"] for row in response.context["rows"]) is False  # newest = now


def test_report_history_is_readable_but_not_restorable_by_the_kelurahan(client, actors, population):
    from tests.reports.conftest import ACTIVITY, save

    report = save(actors.ketua_rt_1, "activity", dict(ACTIVITY), submit=False).report
    save(
        actors.ketua_rt_1,
        "activity",
        {**ACTIVITY, "participants": 30},
        client_key=report.client_key,
        submit=False,
    )
    client.force_login(actors.lurah)
    response = history(client, "reports_report", report.pk)
    assert response.status_code == 200
    assert [row["event"].action for row in response.context["rows"]] == [
        Action.UPDATED,
        Action.CREATED,
    ]
    # The content is the Ketua RT's to change: no restore for the kelurahan.
    assert not any(row["restore_url"] for row in response.context["rows"])
    client.force_login(actors.lurah_karang_jati)
    assert history(client, "reports_report", report.pk).status_code == 404


# -- exports ------------------------------------------------------------------------


def _csv(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return body.strip().splitlines()


def test_export_selected_from_the_resident_list_keeps_scope_and_masks(client, actors, population):
    chosen = [r.pk for r in population.rt1.residents.all()[:2]]
    outsider = population.sepinggan.residents.first().pk
    client.force_login(actors.staf_kelurahan)

    form = {
        "action": "export_selected",
        "_selected_action": [*chosen, outsider],
        "confirm_export": "yes",
        "fmt": "csv;",
        "index": 0,
    }
    response = client.post(  # as the browser sends the change list's form
        admin_url("population_resident_changelist"),
        urlencode(form, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )

    lines = _csv(response)
    assert len(lines) == 1 + 2
    assert all("********" in line for line in lines[1:])
    assert population.rt1.residents.first().nik not in "".join(lines)
    event = AuditEvent.objects.get(action=Action.EXPORTED)
    assert event.door == "admin_action" and event.snapshot["rows"] == 2


def test_export_of_the_filtered_list_exports_every_page_of_that_list_only(
    client, actors, population
):
    client.force_login(actors.lurah)
    query = f"rt__id__exact={population.rt1.rt_id}"
    listing = client.get(admin_url("population_resident_changelist", query=query))
    url = listing.context["export_filtered_url"]
    assert url == admin_url("population_resident_export_filtered", query=query)

    form = client.get(url)
    assert form.status_code == 200 and form.context["count"] == 3
    lines = _csv(client.post(url, {"fmt": "csv;"}))

    assert len(lines) == 1 + 3
    assert all("********" in line for line in lines[1:])  # masked unless asked for
    revealed = _csv(client.post(url, {"fmt": "csv;", "reveal": "on"}))
    assert any(head_of(population.rt1).nik in line for line in revealed)


def test_a_camat_exports_the_kecamatans_households_masked(client, actors, population):
    client.force_login(actors.camat)
    url = admin_url("population_household_export_filtered")
    form = client.get(url)
    assert form.status_code == 200 and "reveal" not in form.context["form"].fields
    lines = _csv(client.post(url, {"fmt": "csv;", "reveal": "on"}))
    assert len(lines) == 1 + 3  # Karang Rejo RT 1 and 2, Karang Jati; not Sepinggan
    assert all("********" in line for line in lines[1:])
    assert "Sepinggan" not in "".join(lines)


def test_who_may_not_export_gets_neither_the_button_nor_the_page(client, actors, population):
    client.force_login(actors.ketua_rt_1)
    listing = client.get(admin_url("population_resident_changelist"))
    assert "export_filtered_url" not in listing.context
    assert "export_selected" not in listing.context["cl"].model_admin.get_actions(
        listing.wsgi_request
    )
    assert client.get(admin_url("population_resident_export_filtered")).status_code == 403
