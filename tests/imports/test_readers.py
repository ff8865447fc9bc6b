"""Readers: typed cells, row numbers as the sheet shows them, encodings and separators."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from backend.imports.columns import locate
from backend.imports.readers import Formula, UnreadableFile, detect_format, open_reader
from backend.imports.resources import ResidentResource
from tests.imports.conftest import SAMPLES


def read(path: Path, fmt: str, sheet: str | None = None) -> list[tuple[int, list]]:
    reader = open_reader(str(path), fmt)
    return list(reader.rows(sheet if sheet is not None else reader.sheet_names()[0]))


def test_xlsx_cells_keep_their_types_and_row_numbers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["NIK", "Nama", "Tanggal Lahir", "Angka", "Ya"])
    ws.append([])  # an empty row 2
    ws.append(["6471041705750001", "Budi", dt.date(1975, 5, 17), 6471041705750001, True])
    ws["D3"].number_format = "0"
    path = tmp_path / "a.xlsx"
    wb.save(path)

    rows = read(path, "xlsx")

    assert rows[0] == (1, ["NIK", "Nama", "Tanggal Lahir", "Angka", "Ya"])
    assert rows[-1] == (
        3,
        ["6471041705750001", "Budi", dt.date(1975, 5, 17), 6471041705750001, True],
    )


def test_xlsx_written_in_streaming_mode_uses_inline_strings_and_is_read_too(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(["NIK", "Nama"])
    ws.append(["6471041705750001", "Siti"])
    path = tmp_path / "b.xlsx"
    wb.save(path)

    assert read(path, "xlsx") == [(1, ["NIK", "Nama"]), (2, ["6471041705750001", "Siti"])]


def _minimal_xlsx(path: Path, sheet_xml: str, *, raw: bool = False) -> None:
    """A hand-made workbook: prefixed tags (x:), no shared strings, no styles part."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<x:workbook xmlns:x="{ns}" xmlns:r="{rel}">'
            '<x:sheets><x:sheet name="Warga" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="/xl/worksheets/s1.xml"/>'
            "</Relationships>",
        )
        document = sheet_xml if raw else f'<x:worksheet xmlns:x="{ns}">{sheet_xml}</x:worksheet>'
        z.writestr("xl/worksheets/s1.xml", document)


def test_xlsx_with_prefixed_tags_and_cells_without_references(tmp_path):
    path = tmp_path / "c.xlsx"
    _minimal_xlsx(
        path,
        '<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>NIK</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:t>Nama</x:t></x:is></x:c></x:row>'
        '<x:row r="4"><x:c r="B4" t="str"><x:f>A1</x:f><x:v>hasil</x:v></x:c></x:row>'
        "</x:sheetData>",
    )

    rows = read(path, "xlsx")

    assert rows == [(1, ["NIK", "Nama"]), (4, [None, "=A1"])]
    # A formula cell is marked as one (the import refuses it), with its cached result.
    assert isinstance(rows[1][1][1], Formula) and rows[1][1][1].result == "hasil"


def test_xlsx_with_a_dtd_is_refused(tmp_path):
    path = tmp_path / "d.xlsx"
    _minimal_xlsx(
        path,
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet>&e;</worksheet>',
        raw=True,
    )

    with pytest.raises(UnreadableFile):
        read(path, "xlsx")


def test_a_broken_workbook_is_unreadable(tmp_path):
    path = tmp_path / "e.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")

    with pytest.raises(UnreadableFile):
        open_reader(str(path), "xlsx")


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.xlsx", b"PK\x03\x04...", "xlsx"),
        ("a.ods", b"PK\x03\x04...", "ods"),
        ("a.xls", b"\xd0\xcf\x11\xe0...", "xls"),
        ("a.csv", b"NIK;Nama", "csv"),
        ("a.xlsx", b"NIK;Nama", None),  # claims XLSX, is not
        ("a.pdf", b"%PDF-1.4", None),
    ],
)
def test_format_comes_from_the_content_not_only_the_name(name, head, expected):
    assert detect_format(name, head) == expected


def test_csv_honours_excels_sep_line_and_counts_rows_as_excel_shows_them(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'sep=;\r\nNIK;Nama\r\n\'6471041705750001;"Budi\r\nSantoso"\r\n;Siti\r\n')

    reader = open_reader(str(path), "csv")
    rows = list(reader.rows(""))

    assert reader.dialect.delimiter == ";"
    assert rows == [
        (1, ["NIK", "Nama"]),
        (2, ["6471041705750001", "Budi\r\nSantoso"]),
        (3, [None, "Siti"]),
    ]


def test_csv_in_windows_1252_with_an_undefined_byte_is_still_read(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes("Nama,Kota\nJosé,Müller\x81x\n".encode("latin-1"))

    reader = open_reader(str(path), "csv")

    assert reader.dialect.encoding == "cp1252"
    assert list(reader.rows(""))[1] == (2, ["José", "Müller\x81x"])


def test_tab_separated_text_is_read(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("NIK\tNama\n6471041705750001\tBudi, S.Pd\n")

    assert list(open_reader(str(path), "csv").rows(""))[1] == (
        2,
        ["6471041705750001", "Budi, S.Pd"],
    )


def test_ods_repeated_rows_and_cells_are_expanded_and_trailing_blanks_dropped():
    rows = read(SAMPLES / "warga.ods", "ods")

    assert rows[0][0] == 1
    assert rows[1][1][6] == dt.date(1975, 5, 17)
    assert isinstance(rows[2][1][0], int)  # the NIK typed as a number


def test_the_header_row_is_found_below_a_title_and_aliases_map_columns():
    reader = open_reader(str(SAMPLES / "warga_lengkap.xlsx"), "xlsx")

    table = locate(reader, ResidentResource)

    assert table.columns.header_row == 3
    assert table.columns.header_of("no_kk") == "No. KK"
    assert table.columns.header_of("relationship") == "Hubungan Keluarga"
    assert next(table.rows)[0] == 4


def test_opensid_names_map_to_our_fields():
    reader = open_reader(str(SAMPLES / "opensid_format_impor.xlsx"), "xlsx")

    table = locate(reader, ResidentResource)

    keys = {c.header: c.key for c in table.columns.columns if c.state == "used"}
    assert keys["kk_level"] == "relationship"
    assert keys["tanggallahir"] == "birth_date"
    assert keys["pendidikan_kk_id"] == "education"
    assert keys["warganegara_id"] == "citizenship"
    assert keys["golongan_darah_id"] == "blood_type"
    assert table.sheet == "Data Penduduk"
