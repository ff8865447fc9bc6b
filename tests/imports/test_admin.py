"""The admin pages of imports and exports, reached by URL as each role."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook
from unfold.admin import ModelAdmin

from admin_config.imports import ScopedExportMixin, export_selected
from backend.imports.models import ImportJob
from backend.population.models import Resident
from tests.imports.conftest import SAMPLES, upload_sample

LIST = "/admin/imports/importjob/"
ADD = "/admin/imports/importjob/add/"
EXPORT = "/admin/imports/importjob/export/"


def job_url(job, suffix="change/") -> str:
    return f"{LIST}{job.pk}/{suffix}"


@pytest.fixture
def job(staff, karang_rejo):
    return upload_sample(staff, karang_rejo, "warga_nik_angka.xlsx")


def test_the_urls_are_the_admins(job):
    assert reverse("admin:imports_importjob_changelist") == LIST
    assert reverse("admin:imports_importjob_change", args=[job.pk]) == job_url(job)


@pytest.mark.parametrize("who", ["no_role", "ketua_rt_1", "camat", "staf_kecamatan"])
def test_users_without_the_import_capability_cannot_reach_imports(client, actors, job, who):
    client.force_login(getattr(actors, who))
    # A user with no role at all is not let into the admin: sent to the login page.
    refused = {302} if who == "no_role" else {403}

    for url in (LIST, ADD, job_url(job), job_url(job, "progress/"), job_url(job, "failed-rows/")):
        assert client.get(url).status_code in refused, url
    assert client.post(job_url(job, "confirm/")).status_code in refused
    job.refresh_from_db()
    assert job.status == "preview"


def test_anonymous_users_are_sent_to_the_login(client, job):
    response = client.get(job_url(job))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_another_kelurahans_staff_cannot_see_the_job(client, actors, job):
    client.force_login(actors.lurah_karang_jati)

    assert client.get(job_url(job)).status_code == 404
    assert client.get(job_url(job, "progress/")).status_code == 404
    assert client.post(job_url(job, "confirm/")).status_code == 404
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert job.original_name not in listing.content.decode()


def test_the_lurah_sees_the_jobs_of_the_kelurahan_staff(client, actors, job):
    client.force_login(actors.lurah)

    listing = client.get(LIST)

    assert job.original_name in listing.content.decode()
    assert client.get(job_url(job)).status_code == 200


def test_upload_check_preview_confirm_result(client, staff, karang_rejo):
    client.force_login(staff)
    assert client.get(ADD).status_code == 200
    upload = SimpleUploadedFile("warga.csv", (SAMPLES / "warga_nik_rusak.csv").read_bytes())

    response = client.post(ADD, {"kind": "residents", "kelurahan": karang_rejo.pk, "file": upload})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    page = client.get(job_url(job)).content.decode()
    assert "Format kolom sebagai Teks" in page or "decimal" in page
    assert 'data-count="invalid">4<' in page
    assert client.get(job_url(job, "progress/")).json()["status"] == "preview"

    refused = client.post(job_url(job, "confirm/"), follow=True)
    assert Resident.objects.count() == 0
    assert refused.status_code == 200

    client.post(job_url(job, "confirm/"), {"valid_only": "on"})
    job.refresh_from_db()
    assert job.status == "done"
    assert Resident.objects.count() == 2
    done = client.get(job_url(job)).content.decode()
    assert str(job.pk) in done


def test_upload_into_a_kelurahan_outside_the_region_is_refused(client, staff, regions):
    client.force_login(staff)
    upload = SimpleUploadedFile("warga.csv", (SAMPLES / "warga_cp1252.csv").read_bytes())

    response = client.post(
        ADD, {"kind": "residents", "kelurahan": regions.karang_jati.pk, "file": upload}
    )

    assert response.status_code == 200  # the form again, with the error
    assert ImportJob.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, staff, karang_rejo):
    client.force_login(staff)
    upload = SimpleUploadedFile("warga.xlsx", b"this is not a workbook")

    client.post(ADD, {"kind": "residents", "kelurahan": karang_rejo.pk, "file": upload})

    assert ImportJob.objects.count() == 0


def test_an_unreadable_workbook_fails_the_job_with_a_message(staff, karang_rejo):
    from tests.imports.conftest import upload_file

    job = upload_file(staff, karang_rejo, "rusak.xlsx", b"PK\x03\x04 broken zip")

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.failure


def test_failed_rows_download_has_the_rows_and_an_error_column(client, staff, job):
    client.force_login(staff)

    response = client.get(job_url(job, "failed-rows/"))

    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    table = [[c.value for c in row] for row in wb.active.iter_rows()]
    assert table[0][0] == "NIK" and table[0][-1] == "Kesalahan"
    assert len(table) == 4  # header + rows 2, 3 and 6
    assert "Teks" in table[1][-1] or "Text" in table[1][-1]


def test_cancel_leaves_nothing_and_the_job_can_be_checked_again(client, staff, job):
    client.force_login(staff)

    client.post(job_url(job, "cancel/"))
    job.refresh_from_db()
    assert job.status == "cancelled"

    client.post(job_url(job, "recheck/"))
    job.refresh_from_db()
    assert job.status == "preview"
    assert Resident.objects.count() == 0


def test_export_page_sends_a_file_of_the_users_region(client, actors, population):
    client.force_login(actors.camat)
    assert client.get(EXPORT).status_code == 200

    response = client.post(EXPORT, {"kind": "residents", "fmt": "csv;"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Karang Rejo" in body and "Sepinggan" not in body
    assert "******" in body  # a Camat never sees full NIKs


def test_export_page_is_closed_to_those_who_may_not_export(client, actors):
    client.force_login(actors.ketua_rt_1)

    assert client.get(EXPORT).status_code == 403


class ResidentExportAdmin(ScopedExportMixin, ModelAdmin):
    """What the lead adds to the real resident admin: one mixin."""


def test_export_selected_action_exports_the_selection_within_scope(actors, population):
    model_admin = ResidentExportAdmin(Resident, admin.site)
    rf = RequestFactory()
    selected = list(population.rt1.residents.values_list("pk", flat=True)[:2])
    outsider = population.sepinggan.residents.first().pk

    request = rf.post("/", {"action": "export_selected", "confirm_export": "yes", "fmt": "csv;"})
    request.user = actors.staf_kelurahan
    assert "export_selected" in model_admin.get_actions(request)
    response = export_selected(
        model_admin, request, Resident.objects.filter(pk__in=[*selected, outsider])
    )

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 1 + 2  # header + the two in scope


def test_export_selected_first_asks_for_the_format(actors, population):
    model_admin = ResidentExportAdmin(Resident, admin.site)
    request = RequestFactory().post("/", {"action": "export_selected"})
    request.user = actors.staf_kelurahan

    response = export_selected(model_admin, request, Resident.objects.all())

    assert response.status_code == 200
    assert b'name="confirm_export"' in response.content


def test_export_selected_is_not_offered_without_the_capability(actors):
    model_admin = ResidentExportAdmin(Resident, admin.site)
    request = RequestFactory().get("/")
    request.user = actors.ketua_rt_1

    assert "export_selected" not in model_admin.get_actions(request)
    request.user = AnonymousUser()


# -- escaping, Indonesian leftovers, the preview's confirm button and colours ------------

DOUBLE_ESCAPED = ("&amp;#x27;", "&amp;quot;", "&amp;amp;", "&amp;lt;", "&amp;#39;")


def test_file_names_and_messages_with_quotes_and_ampersands_are_escaped_once(
    client, staff, karang_rejo
):
    client.force_login(staff)
    content = (
        b"NIK;Nama Lengkap;No. KK;RT\r\n"
        b"6471041705750001;Budi \"Bos\" & Ani's;6471040203150100;RT 'x' & <b>\r\n"
    )
    upload = SimpleUploadedFile('Data "RT" & Warga\'s <b>.csv', content)
    client.post(ADD, {"kind": "residents", "kelurahan": karang_rejo.pk, "file": upload})
    job = ImportJob.objects.get()
    confirmed = client.post(job_url(job, "confirm/"), follow=True)  # refused: rows have errors

    for page in (
        client.get(job_url(job)).content.decode(),
        client.get(LIST).content.decode(),
        confirmed.content.decode(),
    ):
        assert not any(entity in page for entity in DOUBLE_ESCAPED)
        assert "Data &quot;RT&quot; &amp; Warga&#x27;s &lt;b&gt;.csv" in page
        assert "<b>.csv" not in page
    job_page = client.get(job_url(job)).content.decode()
    assert "RT &#x27;x&#x27; &amp; &lt;b&gt;" in job_page


def test_the_upload_form_offers_pilih_not_an_english_placeholder(client, staff):
    client.force_login(staff)

    page = client.get(ADD, HTTP_ACCEPT_LANGUAGE="id").content.decode()

    assert "Select an option" not in page
    assert "- Pilih -" in page


def test_confirm_is_disabled_and_explained_while_rows_have_errors(client, staff, job):
    client.force_login(staff)

    page = client.get(job_url(job)).content.decode()

    assert 'id="confirm-import"' in page
    button = page.split('id="confirm-import"', 1)[1].split(">", 1)[0]
    assert '" disabled' in button  # the attribute, not the disabled: classes
    assert "Perbaiki kesalahan dulu, atau pilih “impor hanya baris yang valid”." in page


def test_confirm_is_enabled_when_no_row_has_errors(client, staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_utf8_bom.csv")
    client.force_login(staff)

    page = client.get(job_url(job)).content.decode()

    button = page.split('id="confirm-import"', 1)[1].split(">", 1)[0]
    assert '" disabled' not in button
    assert "confirm-blocked" not in page


def test_warnings_are_shown_in_a_warning_colour_distinct_from_errors(client, staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_nik_angka.xlsx")  # 3 errors, 1 warning
    client.force_login(staff)

    page = client.get(job_url(job)).content.decode()

    errors = page.count('class="py-2 pr-4 text-red-700" data-severity="error"')
    warnings = page.count('class="py-2 pr-4 text-orange-700" data-severity="warning"')
    assert (errors, warnings) == (3, 1)
    assert ">Peringatan</span>" in page and ">Kesalahan</span>" in page


def test_the_job_list_filters_kinds_by_their_indonesian_names(client, staff, job):
    client.force_login(staff)

    page = client.get(LIST).content.decode()
    filtered = client.get(LIST + "?kind=residents").content.decode()

    assert "Warga (satu baris per warga)" in page.split("Berdasarkan jenis", 1)[1]
    assert ">residents<" not in page.replace("\n", "").replace(" ", "")
    assert job.original_name in filtered
