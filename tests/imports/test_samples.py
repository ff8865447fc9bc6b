"""Every sample file gives the preview a kelurahan clerk should see (samples/make_samples.py)."""

from datetime import date

import pytest
from django.utils import translation

from backend.imports import services
from backend.population import codes
from backend.population.models import Household, Resident
from backend.wilayah.models import RT
from tests.imports.conftest import problems, rows, upload_sample


def preview(job) -> dict:
    job.refresh_from_db()
    assert job.status == "preview", job.failure
    return rows(job)


def counts(new=0, updated=0, unchanged=0, invalid=0, warnings=0, total=None) -> dict:
    total = total if total is not None else new + updated + unchanged + invalid
    return {
        "total": total,
        "new": new,
        "updated": updated,
        "unchanged": unchanged,
        "invalid": invalid,
        "warnings": warnings,
    }


def test_xlsx_with_a_title_above_the_table_is_read_from_its_header_row(staff, karang_rejo):
    """Row numbers are the sheet's: the header is row 3, so the first resident is row 4."""
    job = upload_sample(staff, karang_rejo, "warga_lengkap.xlsx")

    assert preview(job) == counts(new=5, warnings=2)
    assert job.header_row == 3
    assert job.preview_counts["secondary"]["new"] == 2
    assert problems(job, "warning") == [
        (4, "Telepon", "phone_number_cell"),
        (5, "NIK", "nik_birth_date_mismatch"),
    ]


def test_xlsx_import_stores_every_field_as_typed(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_lengkap.xlsx")
    services.import_job_confirm(actor=staff, job=job)

    job.refresh_from_db()
    assert job.status == "done", job.failure
    budi = Resident.objects.get(name="Budi Santoso")
    assert budi.nik == "6471041705750101"
    assert budi.household.no_kk == "6471040203150100"
    assert budi.household.address == "Jl. Mawar No. 1"
    assert budi.rt.number == 3 and budi.rt.kelurahan == karang_rejo
    assert budi.relationship == codes.Relationship.HEAD
    assert budi.sex == codes.Sex.MALE
    assert budi.birth_date == date(1975, 5, 17)
    assert budi.religion == codes.Religion.ISLAM
    assert budi.education == codes.Education.SLTA
    assert budi.occupation == codes.Occupation.KARYAWAN_SWASTA
    assert budi.marital_status == codes.MaritalStatus.MARRIED
    assert budi.phone == "81234567890"  # stored as given, with the warning shown
    frederic = Resident.objects.get(nik="6471040112680201")
    assert frederic.name == "Frédéric Siahaan"
    assert frederic.phone == "081255550101"
    assert frederic.rt.number == 5
    assert Household.objects.get(no_kk="6471040203150200").residents.count() == 2


def test_numeric_nik_and_kk_cells_are_refused_with_a_text_format_message(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_nik_angka.xlsx")

    assert preview(job) == counts(new=2, invalid=3, warnings=1)
    assert problems(job, "error") == [
        (2, "NIK", "number_cell"),
        (3, "NIK", "number_cell"),
        (6, "No. KK", "number_cell"),
    ]
    # Its head's row refused, the first KK would be imported without a head.
    assert problems(job, "warning") == [(4, "Hubungan Keluarga", "household_without_head")]
    message = job.problems.get(row_number=2).message
    assert "15 digit" in message and "Teks" in message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "Format kolom sebagai Teks"),
        ("en", "Format the column as Text"),
    ],
)
def test_messages_speak_the_users_language(staff, karang_rejo, language, expected):
    staff.language = language
    staff.save()

    job = upload_sample(staff, karang_rejo, "warga_nik_angka.xlsx")

    assert expected in job.problems.get(row_number=2).message


def test_damaged_and_cleanable_nik_text_in_csv(staff, karang_rejo):
    """.0, scientific notation and masked NIKs are refused; apostrophes, spaces, dots cleaned."""
    job = upload_sample(staff, karang_rejo, "warga_nik_rusak.csv")

    assert preview(job) == counts(new=2, invalid=4)
    assert problems(job, "error") == [
        (2, "NIK", "decimal"),
        (3, "NIK", "scientific"),
        (6, "NIK", "masked"),
        (7, "NIK", "nik_length"),
    ]
    services.import_job_confirm(actor=staff, job=job, valid_only=True)
    assert set(Resident.objects.values_list("nik", flat=True)) == {
        "6471041705750521",
        "6471041705750531",
    }


def test_utf8_with_bom_keeps_accented_names(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_utf8_bom.csv")

    assert preview(job) == counts(new=2)
    assert job.file_description == "CSV, UTF-8 (BOM), ','"
    services.import_job_confirm(actor=staff, job=job)
    assert set(Resident.objects.values_list("name", flat=True)) == {
        "Frédéric Siahaan",
        "Zoë Manurung",
    }


def test_windows_1252_semicolon_dos_line_endings(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_cp1252.csv")

    assert preview(job) == counts(new=3)
    assert job.file_description == "CSV, Windows-1252, ';'"
    services.import_job_confirm(actor=staff, job=job)
    assert set(Resident.objects.values_list("name", flat=True)) == {
        "Frédéric Siahaan",
        "Zoë Manurung",
        "Désiré Tambunan",
    }
    assert Resident.objects.get(name="Désiré Tambunan").occupation == (
        codes.Occupation.BELUM_TIDAK_BEKERJA
    )


def test_indonesian_month_names_and_day_first_dates(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_bulan_indonesia.csv")

    assert preview(job) == counts(new=7, invalid=1)
    assert problems(job, "error") == [(9, "Tanggal Lahir", "invalid_date")]
    services.import_job_confirm(actor=staff, job=job, valid_only=True)
    born = dict(Resident.objects.values_list("name", "birth_date"))
    assert born == {
        "Warga Tanggal 1": date(1975, 8, 17),  # 17 Agustus 1975
        "Warga Tanggal 2": date(1980, 8, 9),  # 9 Agt 1980
        "Warga Tanggal 3": date(2010, 1, 23),  # 23-Jan-2010
        "Warga Tanggal 4": date(2012, 12, 1),  # 1 Des 2012
        "Warga Tanggal 5": date(1999, 3, 5),  # 05/03/1999, day first
        "Warga Tanggal 6": date(1990, 11, 2),  # 1990-11-02
        "Warga Tanggal 7": date(1965, 6, 4),  # Excel serial 23897
    }


@pytest.mark.parametrize("name", ["warga.ods", "warga.xls"])
def test_ods_and_xls_read_dates_and_refuse_a_numeric_nik(staff, karang_rejo, name):
    job = upload_sample(staff, karang_rejo, name)

    assert preview(job) == counts(new=2, invalid=1)
    assert problems(job, "error") == [(3, "NIK", "number_cell")]
    services.import_job_confirm(actor=staff, job=job, valid_only=True)
    head = Resident.objects.get(relationship=codes.Relationship.HEAD)
    assert head.birth_date == date(1975, 5, 17)
    assert head.rt.number == 3


def test_opensid_template_skips_kode_data_and_stops_at_the_end_marker(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "opensid_format_impor.xlsx")

    assert preview(job) == counts(new=3)
    assert job.sheet_name == "Data Penduduk"
    ignored = {c["header"] for c in job.columns if c["state"] == "ignored"}
    assert {"dusun", "ayah_nik", "akta_lahir", "lat", "lng", "suku"} <= ignored
    assert not [c for c in job.columns if c["state"] == "unknown"]

    services.import_job_confirm(actor=staff, job=job)
    assert Resident.objects.count() == 3  # the row after ### is not data
    rizal = Resident.objects.get(name="Muhammad Rizal")
    assert rizal.education == codes.Education.S1
    assert rizal.occupation == codes.Occupation.PNS
    assert rizal.father_name == "Abdul Karim"
    assert rizal.marriage_date == date(1999, 6, 12)
    assert rizal.rt == RT.objects.get(kelurahan=karang_rejo, number=4)
    aisyah = Resident.objects.get(name="Nur Aisyah")
    assert aisyah.relationship == codes.Relationship.WIFE
    assert aisyah.blood_type == codes.BloodType.O
    baby = Resident.objects.get(name="Bayi Belum Ber-NIK")
    assert baby.nik is None  # OpenSID's 0: no NIK yet, never a made-up one
    assert baby.household == rizal.household


def test_duplicate_nik_in_one_file_refuses_every_copy(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_nik_ganda.csv")

    assert preview(job) == counts(new=2, invalid=2)
    assert problems(job, "error") == [
        (4, "NIK", "nik_duplicate_in_file"),
        (5, "NIK", "nik_duplicate_in_file"),
    ]
    with translation.override("id"):
        assert "baris 4, 5" in job.problems.first().message


def test_two_heads_in_one_kk_refuses_both_head_rows(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_dua_kepala.csv")

    assert preview(job) == counts(new=1, invalid=2)
    assert problems(job, "error") == [
        (2, "Hubungan Keluarga", "two_heads"),
        (3, "Hubungan Keluarga", "two_heads"),
    ]


def test_rows_outside_the_importers_region_are_refused(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_luar_wilayah.csv")

    assert preview(job) == counts(new=1, invalid=3)
    assert problems(job, "error") == [
        (3, "RT", "out_of_scope"),  # Karang Jati, by name
        (4, "RT", "out_of_scope"),  # Sepinggan, by code
        (5, "RT", "unknown_rt"),  # RT 099 does not exist in Karang Rejo
    ]


def test_rows_of_another_kelurahan_are_fine_for_whoever_holds_it(actors, karang_rejo):
    """The city administrator may import the Karang Jati and Sepinggan rows."""
    job = upload_sample(actors.admin_kota, karang_rejo, "warga_luar_wilayah.csv")

    assert preview(job) == counts(new=3, invalid=1)
    assert problems(job, "error") == [(5, "RT", "unknown_rt")]


def test_rt_list_adds_rts_and_updates_the_ketua_rt(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "daftar_rt.csv", kind="rt_list")

    assert preview(job) == counts(new=2, updated=1)
    services.import_job_confirm(actor=staff, job=job)
    rt88 = RT.objects.get(kelurahan=karang_rejo, number=88)
    assert rt88.ketua_name == "Ahmad Fauzi"
    assert rt88.code == "64.71.04.1003.088"
    assert RT.objects.get(kelurahan=karang_rejo, number=5).ketua_name == "Rina Marlina"

    again = upload_sample(staff, karang_rejo, "daftar_rt.csv", kind="rt_list")
    assert preview(again) == counts(unchanged=3)


def test_rt_list_of_another_kelurahan_is_refused(actors, regions):
    job = upload_sample(actors.lurah_karang_jati, regions.karang_jati, "daftar_rt.csv", "rt_list")

    assert preview(job) == counts(invalid=3)
    assert problems(job, "error") == [(r, "Kelurahan", "out_of_scope") for r in (2, 3, 4)]


def test_a_household_without_a_head_in_the_file_or_the_database_gets_a_warning(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_tanpa_kepala.csv")

    assert preview(job) == counts(new=5, warnings=1)
    assert problems(job, "warning") == [(5, "Hubungan Keluarga", "household_without_head")]
    with translation.override("id"):
        message = job.problems.get(code="household_without_head").message
    assert "kepala keluarga" in message.lower()
