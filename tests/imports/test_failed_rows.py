"""The failed-rows file: Indonesian name and error column, text cells, bounded size."""

from __future__ import annotations

import datetime as dt

from openpyxl import load_workbook

from backend.imports import services
from backend.imports.services import join_messages
from backend.population.synthetic import make_nik, make_no_kk
from tests.imports.conftest import upload_file, upload_sample

HEADER = "NIK;Nama Lengkap;No. KK;Hubungan Keluarga;Jenis Kelamin;Tanggal Lahir;Alamat;RT"


def nik(serial: int) -> str:
    return make_nik("647104", 1, dt.date(1980, 1, 2), serial)


KK = make_no_kk("647104", dt.date(2015, 3, 2), 1)


def failed_table(actor, job) -> tuple[services.ExportFile, list[list]]:
    export = services.import_failed_rows(actor=actor, job=job)
    wb = load_workbook(export.file)
    return export, [list(row) for row in wb.active.iter_rows()]


def test_failed_rows_file_is_named_in_indonesian_after_the_kind_and_job(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_nik_angka.xlsx")

    export = services.import_failed_rows(actor=staff, job=job)

    assert export.filename == f"baris-gagal-warga-{str(job.pk)[:8]}.xlsx"


def test_failed_rows_cells_are_text_so_nik_and_rt_keep_their_leading_digits(actors, karang_rejo):
    """Lurah may see full NIKs: the NIK comes back digit for digit, RT 003 stays 003."""
    lines = [f"{nik(i)};Warga {i};{KK};Anak;L;02-01-1980;Jl. Uji;003;" for i in (1, 2)]
    lines[1] = lines[1].replace(";003;", ";RT tiga;")  # an invalid RT: the row fails
    content = (HEADER + ";Catatan\r\n" + "\r\n".join(lines)).encode()
    lurah = actors.lurah
    job = upload_file(lurah, karang_rejo, "warga.csv", content)

    _export, table = failed_table(lurah, job)

    header, row = table
    assert [c.value for c in header][-1] == "Kesalahan"
    assert row[0].value == nik(2) and row[0].data_type == "s"
    assert row[5].value == "02-01-1980" and row[5].data_type == "s"
    assert all(c.number_format == "@" for c in row[:8])


def test_failed_rows_write_formulas_back_as_text_never_as_formulas(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_rumus.csv")

    _export, table = failed_table(staff, job)

    name = table[1][1]
    assert name.value == '=HYPERLINK("http://contoh.test","Budi")'
    assert name.data_type == "s" and name.quotePrefix
    assert table[2][5].value == "@SUM(1+1)" and table[2][5].data_type == "s"


def test_failed_rows_are_capped_with_a_closing_note_on_a_large_invalid_file(
    staff, karang_rejo, settings
):
    settings.LAPOR_RT = {**settings.LAPOR_RT, "IMPORT_MAX_FAILED_ROWS": 50}
    lines = [f"{nik(i)};Warga {i};{KK};Anak;L;02-01-1980;Jl. Uji;RT{i}x" for i in range(1, 3001)]
    job = upload_file(
        staff, karang_rejo, "warga.csv", (HEADER + "\r\n" + "\r\n".join(lines)).encode()
    )
    job.refresh_from_db()
    assert job.error_rows == 3000

    export, table = failed_table(staff, job)

    assert export.rows == 50
    assert len(table) == 1 + 50 + 1
    assert table[50][1].value == "Warga 50"  # the first 50 failed rows, in file order
    note = table[-1][-1].value
    assert "50" in note and "2950" in note
    assert all(c.value is None for c in table[-1][:-1])


def test_messages_are_joined_as_sentences_without_a_stop_before_a_semicolon():
    joined = join_messages(["The RT is required.", "The sex is required", "The RT is required."])

    assert joined == "The RT is required. The sex is required."
    assert ".;" not in joined and ". ." not in joined


def test_a_row_with_two_errors_gets_both_messages_in_one_clean_cell(staff, karang_rejo):
    line = f"{nik(1)};Warga;{KK};Anak;X;99-99-1980;Jl. Uji;003"
    job = upload_file(staff, karang_rejo, "warga.csv", (HEADER + "\r\n" + line).encode())

    _export, table = failed_table(staff, job)

    message = table[1][-1].value
    assert ".;" not in message and message.count(".") >= 2


def test_failed_rows_memory_stays_flat_as_the_invalid_rows_grow(staff, karang_rejo):
    """Problems and file are merged in row order and the workbook streamed: 8x rows, ~same peak."""
    import tracemalloc

    def peak(count: int) -> int:
        lines = [
            f"{nik(i)};Warga {i};{KK};Anak;L;02-01-1980;Jl. Uji;RT{i}x" for i in range(1, count + 1)
        ]
        content = (HEADER + "\r\n" + "\r\n".join(lines)).encode()
        job = upload_file(staff, karang_rejo, f"warga-{count}.csv", content)
        tracemalloc.start()
        export = services.import_failed_rows(actor=staff, job=job)
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert export.rows == count
        return top

    small, large = peak(750), peak(6000)

    assert large - small < 2 * 1024 * 1024
