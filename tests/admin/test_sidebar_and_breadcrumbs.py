"""The sidebar marks the one section the page belongs to; the breadcrumbs name it the same way."""

from __future__ import annotations

import re

import pytest
from django.utils.text import capfirst

from tests.admin.conftest import ROLES, admin_url, head_of, user_for

pytestmark = pytest.mark.django_db

_H1 = re.compile(r'<h1 class="overflow-hidden.*?</h1>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def active_items(response) -> list[str]:
    sidebar = response.context["sidebar_navigation"]
    return [item["title"] for group in sidebar for item in group["items"] if item["active"]]


def breadcrumbs(response) -> list[str]:
    header = _H1.search(response.content.decode()).group(0)
    header = header.split('<span class="font-medium ms-2')[0]  # the change list's result count
    words = " ".join(_TAGS.sub(" ", header).split())
    return [part.strip() for part in words.split("chevron_right")]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "no_role"])
def test_every_sidebar_link_opens_a_page_where_only_that_link_is_marked(client, actors, role):
    client.force_login(user_for(actors, role))
    sidebar = client.get(admin_url("index")).context["sidebar_navigation"]
    for group in sidebar:
        for item in group["items"]:
            response = client.get(item["link"])
            assert active_items(response) == [item["title"]], item["link"]


@pytest.mark.parametrize(
    ("url_name", "active", "crumbs"),
    [
        ("index", "Dasbor", ["Dasbor"]),
        (
            "reports_rtcompliance_changelist",
            "Kepatuhan pelaporan",
            ["Laporan RT", "Kepatuhan pelaporan"],
        ),
        (
            "reports_reportqueue_changelist",
            "Antrean persetujuan",
            ["Laporan RT", "Antrean persetujuan"],
        ),
        ("imports_importjob_changelist", "Daftar impor", ["Impor dan ekspor", "Daftar impor"]),
        ("imports_importjob_add", "Impor baru", ["Impor dan ekspor", "Impor baru"]),
        ("imports_importjob_export", "Ekspor", ["Impor dan ekspor", "Ekspor"]),
        ("audit_auditevent_changelist", "Jejak audit", ["Audit", "Jejak audit"]),
        ("accounts_user_add", "Pengguna", ["Akun", "Pengguna", "Tambahkan pengguna"]),
    ],
)
def test_custom_pages_mark_their_section_and_name_it_in_the_breadcrumbs(
    client, actors, url_name, active, crumbs
):
    client.force_login(actors.admin_kota)
    response = client.get(admin_url(url_name))
    assert response.status_code == 200
    assert active_items(response) == [active]
    assert breadcrumbs(response)[: len(crumbs)] == crumbs


def test_a_record_and_its_history_stay_in_their_list_section(client, actors, population):
    resident = head_of(population.rt1)
    client.force_login(actors.lurah)

    change = client.get(admin_url("population_resident_change", resident.pk))
    history = client.get(admin_url("population_resident_history", resident.pk))

    assert active_items(change) == active_items(history) == ["Penduduk"]
    assert breadcrumbs(change) == ["Kependudukan", "Penduduk", resident.name]
    assert breadcrumbs(history) == ["Kependudukan", "Penduduk", resident.name, "Riwayat"]


def test_an_audit_event_page_stays_in_the_audit_trail_section(client, actors, population):
    from backend.audit.models import AuditEvent
    from backend.population import services

    services.resident_update(actor=actors.lurah, resident=head_of(population.rt1), name="Uji")
    event = AuditEvent.objects.latest("seq")
    client.force_login(actors.lurah)
    response = client.get(admin_url("audit_auditevent_change", event.pk))
    assert active_items(response) == ["Jejak audit"]
    assert breadcrumbs(response)[:2] == ["Audit", "Jejak audit"]


def test_breadcrumbs_follow_the_users_language(client, actors):
    actors.admin_kota.language = "en"
    actors.admin_kota.save(update_fields=["language"])
    client.force_login(actors.admin_kota)
    response = client.get(admin_url("imports_importjob_export"))
    assert breadcrumbs(response) == ["Import and export", "Export"]


def test_an_import_job_page_stays_in_import_jobs_and_names_the_job(client, actors, regions):
    from tests.imports.conftest import upload_sample

    job = upload_sample(actors.staf_kelurahan, regions.karang_rejo, "daftar_rt.csv", kind="rt_list")
    client.force_login(actors.staf_kelurahan)
    response = client.get(admin_url("imports_importjob_change", job.pk))
    assert response.status_code == 200
    assert active_items(response) == ["Daftar impor"]
    assert breadcrumbs(response) == ["Impor dan ekspor", "Daftar impor", capfirst(str(job))]
