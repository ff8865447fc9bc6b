"""Exports: scope, masking, text that stays text, formula guards, and the round trip."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from backend.audit.models import AuditEvent
from backend.common.errors import DomainError
from backend.common.masking import mask_nik, mask_no_kk
from backend.imports.exports import population_export
from backend.population.models import Household, Resident
from tests.imports.conftest import problems, rows, upload_file


def xlsx_rows(export) -> list[list]:
    wb = load_workbook(io.BytesIO(export.file.read()))
    return [[c.value for c in row] for row in wb.active.iter_rows()]


def csv_rows(export) -> list[list[str]]:
    text = export.file.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_export_holds_only_the_actors_region(actors, population):
    export = population_export(actor=actors.staf_kelurahan, kind="residents", fmt="csv")

    table = csv_rows(export)
    kelurahan = {row[table[0].index("Kelurahan")] for row in table[1:]}
    assert kelurahan == {"Karang Rejo"}
    assert export.rows == population.rt1.residents.count() + population.rt2.residents.count()

    sepinggan = population_export(actor=actors.camat_selatan, kind="households", fmt="csv")
    assert [r[0] for r in csv_rows(sepinggan)[1:]] == [mask_no_kk(population.sepinggan.no_kk)]


def test_nik_is_masked_unless_the_role_may_see_it_and_asks(actors, population):
    head = population.rt1.residents.order_by("relationship").first()

    masked = csv_rows(population_export(actor=actors.staf_kelurahan, kind="residents", fmt="csv"))
    full = csv_rows(
        population_export(actor=actors.staf_kelurahan, kind="residents", fmt="csv", reveal=True)
    )

    assert masked[1][0] == mask_nik(head.nik)
    assert full[1][0] == f"'{head.nik}"
    assert full[1][2] == f"'{head.household.no_kk}"
    with pytest.raises(DomainError):
        population_export(actor=actors.camat, kind="residents", fmt="csv", reveal=True)
    with pytest.raises(DomainError):
        population_export(actor=actors.ketua_rt_1, kind="residents", fmt="csv")


def test_every_export_is_audited_with_its_row_count(actors, population):
    population_export(actor=actors.staf_kelurahan, kind="residents", fmt="xlsx", reveal=True)

    event = AuditEvent.objects.get(action="exported")
    assert event.actor == actors.staf_kelurahan
    assert event.snapshot["rows"] == 6
    assert event.snapshot["masked"] is False
    assert event.entity_type == "population.resident"


def test_xlsx_keeps_numbers_as_text_and_never_writes_a_formula(actors, population):
    head = population.rt1.residents.order_by("relationship").first()
    Resident.objects.filter(pk=head.pk).update(
        name='=HYPERLINK("http://contoh.invalid","klik")', phone="081234567890"
    )

    export = population_export(
        actor=actors.staf_kelurahan, kind="residents", fmt="xlsx", reveal=True
    )

    wb = load_workbook(io.BytesIO(export.file.read()))
    ws = wb.active
    header = [c.value for c in ws[1]]
    row = {header[i]: cell for i, cell in enumerate(ws[2])}
    assert row["NIK"].value == head.nik and row["NIK"].data_type == "s"
    assert row["NIK"].quotePrefix
    assert row["RT"].value == "001" and row["RT"].quotePrefix
    assert row["Telepon"].value == "081234567890"
    assert row["Nama Lengkap"].data_type == "s"
    assert row["Nama Lengkap"].value.startswith("=HYPERLINK")
    assert row["Nama Lengkap"].quotePrefix
    assert row["Tanggal Lahir"].is_date and row["Tanggal Lahir"].number_format == "DD-MM-YYYY"


def test_csv_marks_number_like_text_and_formula_leaders_with_an_apostrophe(actors, population):
    head = population.rt1.residents.order_by("relationship").first()
    Resident.objects.filter(pk=head.pk).update(name="@SUM(A1)", birth_place="-Balikpapan")

    table = csv_rows(
        population_export(actor=actors.staf_kelurahan, kind="residents", fmt="csv", reveal=True)
    )

    header, first = table[0], table[1]
    assert first[header.index("Nama Lengkap")] == "'@SUM(A1)"
    assert first[header.index("Tempat Lahir")] == "'-Balikpapan"
    assert first[header.index("RT")] == "'001"
    assert first[header.index("Tanggal Lahir")] == "17-05-1975"


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "warga.xlsx"), ("csv", "warga.csv")])
def test_export_then_import_changes_nothing(actors, population, fmt, name):
    staff = actors.staf_kelurahan
    Resident.objects.filter(pk=population.rt1.residents.first().pk).update(
        name="=Nama Aneh", phone="0812000111", nik=None
    )
    export = population_export(actor=staff, kind="residents", fmt=fmt, reveal=True)

    job = upload_file(staff, population.rt1.rt.kelurahan, name, export.file.read())

    job.refresh_from_db()
    assert job.status == "preview", job.failure
    assert rows(job) == {
        "total": 6, "new": 0, "updated": 0, "unchanged": 6, "invalid": 0, "warnings": 0
    }  # fmt: skip
    assert job.preview_counts["secondary"]["unchanged"] == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_household_export_then_import_changes_nothing(actors, population, fmt):
    staff = actors.staf_kelurahan
    Household.objects.filter(pk=population.rt1.pk).update(postal_code="76124")
    export = population_export(actor=staff, kind="households", fmt=fmt, reveal=True)

    job = upload_file(
        staff, population.rt1.rt.kelurahan, f"kk.{fmt}", export.file.read(), kind="households"
    )

    job.refresh_from_db()
    assert job.status == "preview", job.failure
    assert rows(job)["unchanged"] == 2
    assert rows(job)["invalid"] == 0


def test_a_masked_export_is_refused_on_import_rather_than_damaging_data(actors, population):
    staff = actors.staf_kelurahan
    export = population_export(actor=staff, kind="residents", fmt="xlsx")

    job = upload_file(staff, population.rt1.rt.kelurahan, "warga.xlsx", export.file.read())

    job.refresh_from_db()
    assert rows(job)["invalid"] == 6
    assert {code for _row, _column, code in problems(job, "error")} == {"masked"}
    before = list(Resident.objects.order_by("pk").values_list("nik", flat=True))
    assert all(before)


def test_an_export_of_the_whole_region_is_in_the_trail_the_lurah_and_camat_read(actors, population):
    from backend.audit.models import Action
    from backend.audit.selectors import audit_list
    from backend.imports.report_export import reports_export

    population_export(actor=actors.staf_kelurahan, kind="residents", fmt="csv", reveal=True)
    reports_export(actor=actors.staf_kelurahan, fmt="csv")
    for reader in (actors.lurah, actors.camat):
        exported = audit_list(actor=reader).filter(action=Action.EXPORTED)
        assert {e.entity_type for e in exported} == {"population.resident", "reports.report"}
    assert not audit_list(actor=actors.lurah_karang_jati).filter(action=Action.EXPORTED).exists()
