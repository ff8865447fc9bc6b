"""Files built to hurt, and files missing what every row needs: refused once, at file level.

The bombs are made here, small on disk: a zip member of zeros compresses
about a thousand times, and a sheet can declare the whole Excel grid with
one cell in its last corner.
"""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from backend.common.errors import DomainError
from backend.imports import services
from backend.imports.models import ImportJob
from backend.imports.readers import Formula, SharedStrings, UnreadableFile, open_reader
from tests.imports.conftest import problems, upload_file, upload_sample

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER_CELLS = '<c r="A1" t="inlineStr"><is><t>NIK</t></is></c>' + (
    '<c r="B1" t="inlineStr"><is><t>Nama Lengkap</t></is></c>'
)


def xlsx_parts(sheet_xml: str) -> dict[str, str]:
    return {
        "_rels/.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="r1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Warga" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }


def write_zip(path: Path, parts: dict[str, str | bytes], *, padding: int = 0) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        if padding:
            # Zeros, streamed in so the test never holds them in memory.
            with z.open("xl/media/padding.bin", "w", force_zip64=True) as member:
                block = b"\0" * (1 << 20)
                for _i in range(padding // len(block)):
                    member.write(block)
    return path


def sheet(rows_xml: str, dimension: str = "A1:B2") -> str:
    return (
        f'<worksheet xmlns="{NS}"><dimension ref="{dimension}"/><sheetData>'
        f"{rows_xml}</sheetData></worksheet>"
    )


def test_an_xlsx_that_unpacks_past_the_size_limit_is_refused_before_parsing(tmp_path, settings):
    settings.LAPOR_RT = {**settings.LAPOR_RT, "IMPORT_MAX_UNZIPPED_MB": 8}
    path = write_zip(tmp_path / "bom.xlsx", xlsx_parts(sheet("")), padding=16 << 20)
    assert path.stat().st_size < 100_000

    with pytest.raises(UnreadableFile) as caught:
        open_reader(str(path), "xlsx")

    assert caught.value.code == "archive_too_large"


def test_a_zip_compressed_like_a_bomb_is_refused_even_under_the_size_limit(tmp_path):
    """32 MB of zeros from a few dozen KB: no spreadsheet compresses a thousand times."""
    path = write_zip(tmp_path / "rasio.xlsx", xlsx_parts(sheet("")), padding=32 << 20)

    with pytest.raises(UnreadableFile) as caught:
        open_reader(str(path), "xlsx")

    assert caught.value.code == "archive_too_large"


def test_an_ods_with_too_many_members_is_refused(tmp_path, settings):
    settings.LAPOR_RT = {**settings.LAPOR_RT, "IMPORT_MAX_ZIP_MEMBERS": 50}
    parts: dict[str, str | bytes] = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}
    parts.update({f"Pictures/{i}.png": b"x" for i in range(60)})
    parts["content.xml"] = "<office:document-content/>"
    path = write_zip(tmp_path / "banyak.ods", parts)

    with pytest.raises(UnreadableFile) as caught:
        open_reader(str(path), "ods")

    assert caught.value.code == "archive_too_large"


def test_an_uploaded_zip_bomb_is_refused_at_once_with_an_indonesian_message(
    staff, karang_rejo, tmp_path
):
    path = write_zip(tmp_path / "bom.xlsx", xlsx_parts(sheet("")), padding=32 << 20)

    with translation.override("id"), pytest.raises(DomainError) as caught:
        upload_file(staff, karang_rejo, "warga.xlsx", path.read_bytes())

    assert caught.value.field == "file"
    assert str(caught.value.message).startswith("Berkas terlalu besar setelah diekstrak")
    assert not ImportJob.objects.exists()


def test_a_job_checked_again_under_lower_limits_fails_with_one_file_error(
    staff, karang_rejo, tmp_path, settings
):
    """The worker checks the archive too, before parsing anything."""
    path = write_zip(tmp_path / "besar.xlsx", xlsx_parts(sheet("")), padding=12 << 20)
    limits = settings.LAPOR_RT
    settings.LAPOR_RT = {**limits, "IMPORT_MAX_ZIP_RATIO": 100_000}
    job = upload_file(staff, karang_rejo, "warga.xlsx", path.read_bytes())
    settings.LAPOR_RT = {**limits, "IMPORT_MAX_UNZIPPED_MB": 8}

    with translation.override("id"):
        services.import_job_recheck(actor=staff, job=job)

    job.refresh_from_db()
    assert job.status == "failed"
    assert problems(job) == [(None, "", "archive_too_large")]
    assert job.problems.get().message.startswith("Berkas terlalu besar setelah diekstrak")


def test_a_sheet_declaring_the_whole_excel_grid_is_read_quickly_and_in_little_memory(tmp_path):
    """1,048,576 rows x 16,384 columns declared, a cell in XFD on many rows: read in a blink."""
    data = '<row r="2"><c r="A2" t="inlineStr"><is><t>6471041705750001</t></is></c></row>'
    far = "".join(
        f'<row r="{r}"><c r="SR{r}" s="1"/><c r="XFD{r}" s="0"/></row>' for r in range(3, 20_003)
    )
    last = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    xml = sheet(f'<row r="1">{HEADER_CELLS}</row>{data}{far}{last}', "A1:XFD1048576")
    path = write_zip(tmp_path / "grid.xlsx", xlsx_parts(xml))

    reader = open_reader(str(path), "xlsx")
    tracemalloc.start()
    started = time.monotonic()
    rows = list(reader.rows("Warga"))
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert rows[1] == (2, ["6471041705750001"])
    # Empty formatted cells far right add nothing; a value past column 512 is ignored.
    assert all(values == [] for _n, values in rows[2:])
    assert elapsed < 10
    assert peak < 50 * 1024 * 1024


def test_an_ods_of_a_million_repeated_empty_rows_and_columns_is_read_in_little_memory(tmp_path):
    t = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    o = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    x = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    empty_row = (
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    wide = (
        '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
        + cell.format("jauh")
        + "</table:table-row>"
    )
    content = (
        f'<office:document-content xmlns:office="{o}" xmlns:table="{t}" xmlns:text="{x}">'
        '<office:body><office:spreadsheet><table:table table:name="Warga">'
        f"<table:table-row>{cell.format('NIK')}{cell.format('Nama')}</table:table-row>"
        f"<table:table-row>{cell.format('6471041705750001')}{cell.format('Budi')}</table:table-row>"
        + empty_row * 20
        + wide * 2000
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    parts = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content}
    path = write_zip(tmp_path / "grid.ods", parts)

    reader = open_reader(str(path), "ods")
    tracemalloc.start()
    started = time.monotonic()
    rows = list(reader.rows("Warga"))
    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    assert rows[:2] == [(1, ["NIK", "Nama"]), (2, ["6471041705750001", "Budi"])]
    assert all(len(values) <= 512 for _n, values in rows)
    assert elapsed < 10
    assert peak < 50 * 1024 * 1024


# -- a required column missing ---------------------------------------------------------


def test_a_residents_file_without_nik_and_name_columns_gets_one_file_error(staff, karang_rejo):
    with translation.override("id"):
        job = upload_sample(staff, karang_rejo, "warga_tanpa_kolom_wajib.csv")

    job.refresh_from_db()
    assert job.status == "failed"
    assert problems(job) == [(None, "", "missing_column")]
    message = job.problems.get().message
    assert "NIK" in message and "Nama Lengkap" in message
    assert "no nik" in message and "nama warga" in message  # the headers accepted
    assert message == job.failure


def test_a_residents_file_without_a_name_column_names_it_once(staff, karang_rejo):
    lines = [f"64710417057500{i:02d};6471040203150100;003" for i in range(1, 40)]
    content = ("NIK;No. KK;RT\r\n" + "\r\n".join(lines)).encode()

    job = upload_file(staff, karang_rejo, "warga.csv", content)

    job.refresh_from_db()
    assert job.status == "failed"
    assert problems(job) == [(None, "", "missing_column")]
    assert "Nama Lengkap" in job.failure and "NIK (" not in job.failure


def test_a_households_file_without_a_kk_column_gets_one_file_error(staff, karang_rejo):
    content = b"Alamat;RT;Kode Pos\r\nJl. Uji 1;003;76111\r\nJl. Uji 2;003;76111\r\n"

    job = upload_file(staff, karang_rejo, "kk.csv", content, kind="households")

    job.refresh_from_db()
    assert job.status == "failed"
    assert problems(job) == [(None, "", "missing_column")]
    assert "No. KK" in job.failure


# -- formulas ------------------------------------------------------------------------------


def test_xlsx_formula_cells_are_refused_with_a_typed_value_message(staff, karang_rejo):
    with translation.override("id"):
        job = upload_sample(staff, karang_rejo, "warga_rumus.xlsx")

    job.refresh_from_db()
    assert job.status == "preview", job.failure
    assert problems(job, "error") == [
        (2, "Nama Lengkap", "formula"),
        (3, "Tanggal Lahir", "formula"),
    ]
    name_problem = job.problems.get(row_number=2, code="formula")
    assert name_problem.value == '=O2&" "&P2'
    assert "rumus" in name_problem.message and "nilai" in name_problem.message


def test_csv_values_that_are_formulas_are_refused_and_look_alikes_are_values(staff, karang_rejo):
    job = upload_sample(staff, karang_rejo, "warga_rumus.csv")

    job.refresh_from_db()
    assert job.status == "preview", job.failure
    assert problems(job, "error") == [
        (2, "Nama Lengkap", "formula"),
        (3, "Tempat Lahir", "formula"),
    ]
    assert job.preview_counts["rows"]["new"] == 1


def test_ods_formula_cells_are_read_as_formulas_with_their_result(tmp_path):
    t = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    o = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    x = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    content = (
        f'<office:document-content xmlns:office="{o}" xmlns:table="{t}" xmlns:text="{x}">'
        '<office:body><office:spreadsheet><table:table table:name="Warga"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>Budi</text:p></table:table-cell>'
        '<table:table-cell table:formula="of:=[.A1]&amp;&quot; S&quot;" '
        'office:value-type="string"><text:p>Budi S</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    parts = {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content}
    path = write_zip(tmp_path / "rumus.ods", parts)

    [(_n, values)] = list(open_reader(str(path), "ods").rows("Warga"))

    assert values[0] == "Budi" and not isinstance(values[0], Formula)
    assert isinstance(values[1], Formula)
    assert values[1] == '=[.A1]&" S"' and values[1].result == "Budi S"


def test_shared_strings_are_packed_and_read_back_across_blocks():
    strings = SharedStrings()
    texts = [f"w{i}" if i % 7 else "" for i in range(SharedStrings._BLOCK * 2 + 5)]
    for text in texts:
        strings.append(text)
    strings.seal()

    assert len(strings) == len(texts)
    assert [strings[i] for i in range(len(texts))] == texts
    with pytest.raises(IndexError):
        strings[len(texts)]


def test_an_xlsx_whose_shared_text_table_is_too_large_is_refused(tmp_path, settings):
    settings.LAPOR_RT = {**settings.LAPOR_RT, "IMPORT_MAX_SHARED_STRINGS_MB": 1}
    parts = xlsx_parts(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>",
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
    )
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{NS}">' + "<si><t>a</t></si>" * 100_000 + "</sst>"
    )  # 1.7 MB of one-letter strings
    path = write_zip(tmp_path / "teks.xlsx", parts)
    reader = open_reader(str(path), "xlsx")

    with pytest.raises(UnreadableFile) as caught:
        list(reader.rows("Warga"))

    assert caught.value.code == "archive_too_large"


def test_columns_new_residents_need_are_one_file_problem_each_not_one_per_row(
    client, staff, karang_rejo
):
    """No Jenis Kelamin or Tanggal Lahir column: fine for updates, one problem each for new rows."""
    lines = [
        f"64710417057500{i:02d};Warga {i};6471040203150100;Anak;Jl. Uji;003" for i in range(1, 31)
    ]
    header = "NIK;Nama Lengkap;No. KK;Hubungan Keluarga;Alamat;RT"
    content = (header + "\r\n" + "\r\n".join(lines)).encode()

    job = upload_file(staff, karang_rejo, "warga.csv", content)

    job.refresh_from_db()
    assert job.status == "preview", job.failure
    assert job.preview_counts["rows"]["invalid"] == 30
    summary = job.problems.filter(code="missing_column").order_by("column")
    assert [(p.row_number, p.column) for p in summary] == [
        (None, "Jenis Kelamin"),
        (None, "Tanggal Lahir"),
    ]
    assert "30" in summary[0].message and "jk" in summary[0].message
    client.force_login(staff)
    page = client.get(f"/admin/imports/importjob/{job.pk}/change/").content.decode()
    assert page.count('data-severity="error"') == 2  # the two columns, not 60 row errors
    failed = services.import_failed_rows(actor=staff, job=job)
    assert failed.rows == 30  # each row still comes back, saying what it lacks


def test_a_new_kk_without_an_address_column_is_one_problem_for_the_column(staff, karang_rejo):
    lines = [
        f"64710417057500{i:02d};Warga {i};6471040203150100;Anak;L;02-01-1980;003" for i in (1, 2)
    ]
    header = "NIK;Nama Lengkap;No. KK;Hubungan Keluarga;Jenis Kelamin;Tanggal Lahir;RT"

    job = upload_file(
        staff, karang_rejo, "warga.csv", (header + "\r\n" + "\r\n".join(lines)).encode()
    )

    job.refresh_from_db()
    listed = job.problems.exclude(code="missing_column_row")
    assert [(p.row_number, p.column, p.code) for p in listed] == [
        (None, "Alamat", "missing_column")
    ]
    assert "2" in listed.get().message


def test_an_xlsx_text_constant_formula_is_the_typed_value_excels_text_trick(tmp_path):
    """``="6471..."`` keeps a NIK as text and depends on nothing: read as that text."""
    cells = (
        '<row r="2"><c r="A2" t="str"><f>"6471041705750001"</f><v>6471041705750001</v></c>'
        '<c r="B2" t="str"><f>"Budi ""Bos"""</f><v>Budi "Bos"</v></c>'
        '<c r="C2" t="str"><f>A2&amp;"x"</f><v>6471041705750001x</v></c></row>'
    )
    path = write_zip(
        tmp_path / "teks.xlsx", xlsx_parts(sheet(f'<row r="1">{HEADER_CELLS}</row>{cells}'))
    )

    [_header, (_n, values)] = list(open_reader(str(path), "xlsx").rows("Warga"))

    assert values[:2] == ["6471041705750001", 'Budi "Bos"']
    assert not isinstance(values[0], Formula) and isinstance(values[2], Formula)
