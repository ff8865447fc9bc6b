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


def test_resident_history_masks_numbers_for_everyone_by_default(client, actors, renamed):
    resident, old_nik, new_nik = renamed
    for role in ("lurah", "camat", "admin_kota"):
        client.force_login(getattr(actors, role))
        page = history(client, "population_resident", resident.pk).content.decode()
        assert "Nama Baru" in page, role
        assert new_nik not in page and old_nik not in page, role
        assert mask_nik(new_nik) in page and mask_nik(old_nik) in page, role


def _reveal_urls(response) -> list[str]:
    return [row["reveal_url"] for row in response.context["rows"] if row["reveal_url"]]


def test_resident_history_offers_an_audited_reveal_to_roles_with_nik_rights_only(
    client, actors, renamed
):
    resident, old_nik, new_nik = renamed
    client.force_login(actors.camat)
    camat_page = history(client, "population_resident", resident.pk)
    assert _reveal_urls(camat_page) == []

    client.force_login(actors.lurah)
    lurah_page = history(client, "population_resident", resident.pk)
    (reveal_url,) = _reveal_urls(lurah_page)
    assert reveal_url in lurah_page.content.decode()
    before = AuditEvent.objects.filter(action=Action.NIK_REVEALED).count()

    revealed = client.post(reveal_url, HTTP_HX_REQUEST="true").content.decode()

    assert old_nik in revealed and new_nik in revealed
    reveal = AuditEvent.objects.filter(action=Action.NIK_REVEALED).latest("seq")
    assert AuditEvent.objects.filter(action=Action.NIK_REVEALED).count() == before + 1
    assert (reveal.actor_id, reveal.entity_type, reveal.entity_id) == (
        actors.lurah.pk,
        "population.resident",
        str(resident.pk),
    )
    assert reveal.rt_id == resident.rt_id


def test_revealing_a_history_entry_is_refused_without_nik_rights_and_records_nothing(
    client, actors, renamed
):
    resident, *_ = renamed
    event = AuditEvent.objects.filter(
        entity_type="population.resident", entity_id=str(resident.pk), action=Action.UPDATED
    ).latest("seq")
    url = admin_url("audit_auditevent_reveal", event.pk)
    before = AuditEvent.objects.filter(action=Action.NIK_REVEALED).count()
    client.force_login(actors.camat)
    assert client.post(url).status_code == 403
    client.force_login(actors.lurah_karang_jati)
    assert client.post(url).status_code == 404
    client.force_login(actors.lurah)
    assert client.get(url).status_code == 405
    assert AuditEvent.objects.filter(action=Action.NIK_REVEALED).count() == before


def test_reveal_without_javascript_shows_a_page_with_the_numbers(client, actors, renamed):
    resident, _old_nik, new_nik = renamed
    event = AuditEvent.objects.filter(
        entity_type="population.resident", entity_id=str(resident.pk), action=Action.UPDATED
    ).latest("seq")
    client.force_login(actors.staf_kelurahan)
    back = admin_url("population_resident_history", resident.pk)
    response = client.post(admin_url("audit_auditevent_reveal", event.pk), {"next": back})
    assert response.status_code == 200
    assert new_nik in response.content.decode() and "<html" in response.content.decode()
    assert response.context["back_url"] == back
    elsewhere = client.post(
        admin_url("audit_auditevent_reveal", event.pk), {"next": "https://elsewhere.example/"}
    )
    assert elsewhere.context["back_url"] == ""


def test_household_history_masks_the_kk_number_by_default(client, actors, population):
    household = population.rt1
    old_kk = household.no_kk
    new_kk = old_kk[:-4] + "0777"
    population_services.household_update(actor=actors.lurah, household=household, no_kk=new_kk)
    client.force_login(actors.lurah)
    page = history(client, "population_household", household.pk).content.decode()
    assert old_kk not in page and new_kk not in page
    assert mask_nik(new_kk) in page


def test_django_log_entry_history_is_not_reachable_anywhere(client, actors, population):
    from django.contrib import admin
    from django.http import Http404

    client.force_login(actors.admin_kota)
    household = population.rt1
    # Models without a Riwayat page: Django's own History page (LogEntry) is gone too.
    user_history = admin_url("accounts_user_history", actors.lurah.pk)
    assert client.get(user_history).status_code == 404
    for _model, model_admin in admin.site._registry.items():
        if hasattr(type(model_admin), "audit_history_template"):
            continue
        request = client.get("/admin/").wsgi_request
        with pytest.raises(Http404):
            model_admin.history_view(request, str(household.pk))


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


def test_report_history_is_private_while_a_draft_then_readable_once_sent(
    client, actors, population
):
    from backend.reports import services as report_services
    from tests.reports.conftest import ACTIVITY, save

    report = save(actors.ketua_rt_1, "activity", dict(ACTIVITY), submit=False).report
    save(
        actors.ketua_rt_1,
        "activity",
        {**ACTIVITY, "participants": 30},
        client_key=report.client_key,
        submit=False,
    )
    # A draft is its reporter's: no history for the kelurahan yet.
    client.force_login(actors.lurah)
    assert history(client, "reports_report", report.pk).status_code == 404

    report_services.report_submit(actor=actors.ketua_rt_1, report=report)
    response = history(client, "reports_report", report.pk)
    assert response.status_code == 200
    assert [row["event"].action for row in response.context["rows"]] == [
        Action.SUBMITTED,
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
