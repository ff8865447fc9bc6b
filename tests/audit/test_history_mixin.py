"""AuditHistoryMixin: a per-record "Riwayat" page with "restore this version"."""

from __future__ import annotations

import pytest

from backend.audit.models import Action, AuditEvent
from backend.population import services as svc
from backend.population.models import Resident

pytestmark = pytest.mark.urls("tests.audit.history_urls")
BASE = "/test-admin/population/resident"


@pytest.fixture
def resident(actors, population):
    resident = population.rt1.residents.order_by("pk").first()
    svc.resident_update(actor=actors.lurah, resident=resident, name="Versi Satu")
    svc.resident_update(actor=actors.lurah, resident=resident, name="Versi Dua")
    return Resident.objects.get(pk=resident.pk)


def test_history_page_lists_the_records_changes_readably(client, actors, resident):
    client.force_login(actors.lurah)

    response = client.get(f"{BASE}/{resident.pk}/history/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Riwayat" in page and "Nama lengkap" in page
    assert "Versi Satu" in page and "Versi Dua" in page and "WITA" in page
    newest, older = response.context["rows"]
    assert newest["restore_url"] is None  # that version is the record as it is now
    assert older["restore_url"]


def test_history_page_costs_a_bounded_number_of_queries(
    client, actors, resident, django_assert_max_num_queries
):
    for i in range(10):
        svc.resident_update(actor=actors.lurah, resident=resident, name=f"Ke-{i}")
    client.force_login(actors.lurah)
    client.get(f"{BASE}/{resident.pk}/history/")  # warm the session and scope
    with django_assert_max_num_queries(20):
        assert client.get(f"{BASE}/{resident.pk}/history/").status_code == 200


def test_ketua_rt_gets_no_history(client, actors, resident):
    client.force_login(actors.ketua_rt_1)
    assert client.get(f"{BASE}/{resident.pk}/history/").status_code == 403


def test_another_kelurahan_cannot_read_the_history(client, actors, resident):
    client.force_login(actors.lurah_karang_jati)
    assert client.get(f"{BASE}/{resident.pk}/history/").status_code == 404


def test_restore_asks_for_confirmation_then_restores_through_the_service(
    client, actors, resident, log
):
    first = AuditEvent.objects.filter(entity_id=str(resident.pk)).order_by("seq").first()
    client.force_login(actors.lurah)
    url = f"{BASE}/{resident.pk}/history/restore/{first.pk}/"

    confirm = client.get(url)
    assert confirm.status_code == 200 and "Versi Satu" in confirm.content.decode()
    assert Resident.objects.get(pk=resident.pk).name == "Versi Dua"

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == f"{BASE}/{resident.pk}/change/"
    assert Resident.objects.get(pk=resident.pk).name == "Versi Satu"
    (event,) = log.new()
    assert (event.action, event.door, event.actor_id) == (
        Action.RESTORED,
        "admin",
        actors.lurah.pk,
    )
    assert event.request_id and event.client_ip == "127.0.0.1"


def test_a_deleted_record_keeps_its_history_and_can_be_recreated(client, actors, resident):
    svc.resident_delete(actor=actors.lurah, resident=resident)
    deleted = AuditEvent.objects.filter(action=Action.DELETED).latest("seq")
    client.force_login(actors.staf_kelurahan)

    page = client.get(f"{BASE}/{resident.pk}/history/")
    assert page.status_code == 200 and page.context["deleted"]

    client.post(f"{BASE}/{resident.pk}/history/restore/{deleted.pk}/")

    assert Resident.objects.get(pk=resident.pk).name == "Versi Dua"


def test_a_refused_restore_shows_the_reason_and_records_nothing(client, actors, resident, log):
    latest = AuditEvent.objects.filter(entity_id=str(resident.pk)).latest("seq")
    client.force_login(actors.lurah)

    response = client.post(f"{BASE}/{resident.pk}/history/restore/{latest.pk}/", follow=True)

    assert "sama dengan data saat ini" in response.content.decode()
    assert log.new() == []


def test_restore_of_an_event_of_another_record_is_not_found(client, actors, resident, population):
    other = population.rt1.residents.exclude(pk=resident.pk).first()
    event = AuditEvent.objects.filter(entity_id=str(resident.pk)).latest("seq")
    client.force_login(actors.lurah)
    assert client.post(f"{BASE}/{other.pk}/history/restore/{event.pk}/").status_code == 404


def test_camat_reads_history_but_gets_no_restore_button(client, actors, resident):
    client.force_login(actors.camat)
    response = client.get(f"{BASE}/{resident.pk}/history/")
    assert response.status_code == 200
    assert not any(row["restore_url"] for row in response.context["rows"])
    first = response.context["rows"][-1]["event"]
    assert client.post(f"{BASE}/{resident.pk}/history/restore/{first.pk}/").status_code == 403


def test_timeline_detail_links_to_the_record_history(client, actors, resident):
    from django.contrib import admin

    from admin_config.audit import history_url
    from tests.audit.history_urls import site

    event = AuditEvent.objects.filter(entity_id=str(resident.pk)).latest("seq")
    assert history_url(site, event) == f"{BASE}/{resident.pk}/history/"
    # The real site's resident admin has the same page.
    assert history_url(admin.site, event) == f"/admin/population/resident/{resident.pk}/history/"


def test_the_confirmation_shows_what_the_restore_changes(client, actors, resident):
    first = AuditEvent.objects.filter(entity_id=str(resident.pk)).order_by("seq").first()
    client.force_login(actors.lurah)

    response = client.get(f"{BASE}/{resident.pk}/history/restore/{first.pk}/")

    (row,) = response.context["will_change"]
    assert (row.label, row.before, row.after) == ("Nama lengkap", "Versi Dua", "Versi Satu")
