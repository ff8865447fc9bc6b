"""Writes the sample spreadsheets in this folder (run it to regenerate them).

    .venv/bin/python tests/imports/samples/make_samples.py

Every person is synthetic: names made up, NIK and KK numbers built with
``backend.population.synthetic`` (valid layout, Balikpapan Tengah prefix
647104, belonging to nobody). Each file shows one format, encoding or
damage; ``tests/imports/test_samples.py`` asserts the preview of each
(``test_limits.py`` those of the files missing columns or holding formulas).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from backend.population.synthetic import make_nik, make_no_kk  # noqa: E402

L, P = 1, 2
OUR_HEADERS = [
    "NIK", "Nama Lengkap", "No. KK", "Hubungan Keluarga", "Jenis Kelamin", "Tempat Lahir",
    "Tanggal Lahir", "Agama", "Pendidikan", "Pekerjaan", "Status Perkawinan", "Telepon",
    "Alamat", "RT",
]  # fmt: skip


def nik(sex: int, born: dt.date, serial: int) -> str:
    return make_nik("647104", sex, born, serial)


def kk(serial: int) -> str:
    return make_no_kk("647104", dt.date(2015, 3, 2), serial)


def person(serial, name, kk_no, relation, sex, place, born, religion, edu, job, marital, phone,
           address, rt):  # fmt: skip
    return [
        nik(sex, born, serial), name, kk_no, relation, "L" if sex == L else "P", place, born,
        religion, edu, job, marital, phone, address, rt,
    ]  # fmt: skip


def family_a(base: int = 100) -> list[list]:
    kk_a = kk(base)
    return [
        person(base + 1, "Budi Santoso", kk_a, "Kepala Keluarga", L, "Balikpapan",
               dt.date(1975, 5, 17), "Islam", "SLTA/Sederajat", "Karyawan Swasta", "Kawin",
               "081234567890", "Jl. Mawar No. 1", "003"),
        person(base + 2, "Siti Aminah", kk_a, "Istri", P, "Samarinda", dt.date(1980, 8, 9),
               "Islam", "Diploma IV/Strata I", "Guru", "Kawin", "", "Jl. Mawar No. 1", "003"),
        person(base + 3, "Andi Pratama", kk_a, "Anak", L, "Balikpapan", dt.date(2010, 1, 23),
               "Islam", "Belum Tamat SD/Sederajat", "Pelajar/Mahasiswa", "Belum Kawin", "",
               "Jl. Mawar No. 1", "003"),
    ]  # fmt: skip


def family_b(base: int = 200, accents: bool = True) -> list[list]:
    kk_b = kk(base)
    first = "Frédéric Siahaan" if accents else "Frederik Siahaan"
    second = "Zoë Manurung" if accents else "Zoe Manurung"
    return [
        person(base + 1, first, kk_b, "Kepala Keluarga", L, "Medan", dt.date(1968, 12, 1),
               "Kristen", "Strata II", "Dosen", "Kawin", "0812-5555-0101",
               "Jl. Melati Gg. 2 No. 7", "005"),
        person(base + 2, second, kk_b, "Istri", P, "Tarutung", dt.date(1971, 4, 30),
               "Katholik", "SLTA/Sederajat", "Mengurus Rumah Tangga", "Kawin", "",
               "Jl. Melati Gg. 2 No. 7", "005"),
    ]  # fmt: skip


def write_csv(name: str, header: list, rows: list[list], *, encoding="utf-8", sep=",",
              newline="\n", bom=False, date_text=lambda d: f"{d:%d-%m-%Y}") -> None:  # fmt: skip
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([date_text(v) if isinstance(v, dt.date) else v for v in row])
    data = buffer.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    (HERE / name).write_bytes(data)


def write_xlsx(name: str, sheets: list[tuple[str, list[list]]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
                elif isinstance(value, str) and value.isdigit():
                    cell.number_format = "@"
    wb.save(HERE / name)


def main() -> None:
    # 1. XLSX as kelurahan staff type it: a title above the table, dates as date cells.
    # Two soft warnings: a phone typed as a number (its leading 0 is gone), and a
    # birth date that differs from the NIK's (legitimate: a NIK is never reissued).
    rows = family_a() + family_b()
    rows[0][11] = 81234567890
    rows[1][6] = dt.date(1980, 8, 10)
    write_xlsx(
        "warga_lengkap.xlsx",
        [("Warga", [["DATA PENDUDUK KELURAHAN KARANG REJO"], [], OUR_HEADERS, *rows])],
    )

    # 2. XLSX where NIK / KK cells are numbers (Excel's General format).
    a = family_a(300)
    a[0][0] = int(a[0][0])  # a 16-digit number cell
    a[1][0] = float(a[1][0])  # the same as a float cell
    b = family_b(400, accents=False)
    b[1][2] = int(b[1][2])  # the KK number as a number cell
    write_xlsx("warga_nik_angka.xlsx", [("Sheet1", [OUR_HEADERS, *a, *b])])

    # 3. CSV with the damage Excel does to numbers, and the cleaning of text NIKs.
    born = dt.date(1975, 5, 17)
    damaged = [
        [nik(L, born, 501) + ".0", "Rusak Desimal", kk(500), "Kepala Keluarga", "L", "Bpp",
         born, "Islam", "", "", "Kawin", "", "Jl. Cemara 1", "007"],
        ["6.47104E+15", "Rusak Ilmiah", kk(510), "Kepala Keluarga", "L", "Bpp", born, "Islam",
         "", "", "Kawin", "", "Jl. Cemara 2", "007"],
        ["'6471 0417 0575 0521", "Bersih Spasi", kk(520), "Kepala Keluarga", "L", "Bpp", born,
         "Islam", "", "", "Kawin", "", "Jl. Cemara 3", "007"],
        ["6471.0417.0575.0531", "Bersih Titik", kk(530), "Kepala Keluarga", "L", "Bpp", born,
         "Islam", "", "", "Kawin", "", "Jl. Cemara 4", "007"],
        ["647104********0541", "Tersamar", kk(540), "Kepala Keluarga", "L", "Bpp", born,
         "Islam", "", "", "Kawin", "", "Jl. Cemara 5", "007"],
        ["647104170575055", "Kurang Digit", kk(550), "Kepala Keluarga", "L", "Bpp", born,
         "Islam", "", "", "Kawin", "", "Jl. Cemara 6", "007"],
    ]  # fmt: skip
    write_csv("warga_nik_rusak.csv", OUR_HEADERS, damaged)

    # 4. UTF-8 with BOM, comma separated, Unix line endings, accented names.
    write_csv("warga_utf8_bom.csv", OUR_HEADERS, family_b(600), bom=True)

    # 5. Windows-1252 (Excel's "CSV" on Windows), semicolon, DOS line endings.
    rows = [
        *family_b(700),
        person(703, "Désiré Tambunan", kk(700), "Anak", L, "Balikpapan", dt.date(2001, 7, 14),
               "Kristen", "SLTA/Sederajat", "Belum/Tidak Bekerja", "Belum Kawin", "",
               "Jl. Melati Gg. 2 No. 7", "005"),
    ]  # fmt: skip
    write_csv("warga_cp1252.csv", OUR_HEADERS, rows, encoding="cp1252", sep=";", newline="\r\n")

    # 6. Indonesian month names and other day-first spellings; UTF-8, semicolon, CRLF.
    spellings = [
        (dt.date(1975, 8, 17), "17 Agustus 1975"),
        (dt.date(1980, 8, 9), "9 Agt 1980"),
        (dt.date(2010, 1, 23), "23-Jan-2010"),
        (dt.date(2012, 12, 1), "1 Des 2012"),
        (dt.date(1999, 3, 5), "05/03/1999"),
        (dt.date(1990, 11, 2), "1990-11-02"),
        (dt.date(1965, 6, 4), "23897"),  # an Excel serial number
        (dt.date(1977, 2, 28), "31 Februari 1977"),  # not a date
    ]
    rows = []
    for i, (day, text) in enumerate(spellings):
        rows.append(
            [nik(L, day, 800 + i), f"Warga Tanggal {i + 1}", kk(800 + i), "Kepala Keluarga", "L",
             "Balikpapan", text, "Islam", "", "", "Kawin", "", f"Jl. Anggrek {i + 1}", "010"]
        )  # fmt: skip
    write_csv("warga_bulan_indonesia.csv", OUR_HEADERS, rows, sep=";", newline="\r\n")

    # 7. ODS (LibreOffice), with date cells and one NIK typed as a number.
    write_ods("warga.ods", OUR_HEADERS, family_a(900), numeric_nik_row=2)

    # 8. XLS (Excel 97-2003), with date cells and one NIK typed as a number.
    write_xls("warga.xls", OUR_HEADERS, family_a(1000), numeric_nik_row=2)

    # 9. OpenSID's "format impor penduduk".
    write_opensid("opensid_format_impor.xlsx")

    # 10. The same NIK twice.
    rows = family_a(1100)
    duplicate = list(rows[2])
    duplicate[1] = "Andi Kembar"
    rows.insert(3, duplicate)
    write_csv("warga_nik_ganda.csv", OUR_HEADERS, rows)

    # 11. Two heads in one KK.
    rows = family_a(1200)
    rows[1][3] = "Kepala Keluarga"
    write_csv("warga_dua_kepala.csv", OUR_HEADERS, rows)

    # 12. Rows outside the importer's region, and an RT that does not exist.
    header = [*OUR_HEADERS, "Kelurahan", "Kode Kelurahan"]
    a = family_a(1300)
    rows = [
        [*a[0], "Karang Rejo", ""],
        [*person(1311, "Warga Karang Jati", kk(1310), "Kepala Keluarga", L, "Balikpapan",
                 dt.date(1970, 1, 1), "Islam", "", "", "Kawin", "", "Jl. Jati 1", "001"),
         "Karang Jati", ""],
        [*person(1321, "Warga Sepinggan", kk(1320), "Kepala Keluarga", L, "Balikpapan",
                 dt.date(1970, 1, 2), "Islam", "", "", "Kawin", "", "Jl. Pantai 1", "001"),
         "", "64.71.05.1002"],
        [*person(1331, "Warga RT Hilang", kk(1330), "Kepala Keluarga", L, "Balikpapan",
                 dt.date(1970, 1, 3), "Islam", "", "", "Kawin", "", "Jl. Entah 1", "099"),
         "", ""],
    ]  # fmt: skip
    write_csv("warga_luar_wilayah.csv", header, rows)

    # 13. An RT list: two new RTs and a new Ketua RT name for RT 005.
    write_csv(
        "daftar_rt.csv",
        ["Kelurahan", "RT", "Nama Ketua RT"],
        [["Karang Rejo", "088", "Ahmad Fauzi"], ["Karang Rejo", "089", ""],
         ["Karang Rejo", "005", "Rina Marlina"]],
    )  # fmt: skip

    # 14-15. Historical RT reports (one row per report), XLSX and CSV.
    write_report_samples()

    # 16. A residents file without its NIK and Nama Lengkap columns: one file error.
    header = [h for h in OUR_HEADERS if h not in ("NIK", "Nama Lengkap")]
    rows = [[v for i, v in enumerate(r) if i not in (0, 1)] for r in family_a(1400)]
    write_csv("warga_tanpa_kolom_wajib.csv", header, rows, sep=";")

    # 17. XLSX whose Nama and Tanggal Lahir cells of two rows are formulas.
    write_formulas("warga_rumus.xlsx", family_a(1500))

    # 18. CSV whose cells start like formulas: two are (refused), two are values.
    rows = family_a(1600)
    rows[0][1] = '=HYPERLINK("http://contoh.test","Budi")'
    rows[1][5] = "@SUM(1+1)"
    rows[2][11] = "+6281234567890"  # a phone number with its country code: a value
    rows[2][5] = "-"  # "nothing here": a value
    write_csv("warga_rumus.csv", OUR_HEADERS, rows, sep=";")

    # 19. A KK with its head, and a KK whose rows name no head (a warning, not an error).
    rows = family_b(1800)
    rows[0][3] = "Famili Lain"
    write_csv("warga_tanpa_kepala.csv", OUR_HEADERS, [*family_a(1700), *rows], sep=";")


def write_formulas(name: str, rows: list[list]) -> None:
    """Row 2's name is =CONCAT(...) of two helper cells; row 3's birth date is =DATE(...)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Warga"
    ws.append([*OUR_HEADERS, "Depan", "Belakang"])
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, str) and value.isdigit():
                cell.number_format = "@"
    ws["O2"], ws["P2"] = "Budi", "Santoso"
    ws["B2"] = '=O2&" "&P2'
    ws["G3"] = "=DATE(1980,8,9)"
    ws["G3"].number_format = "DD/MM/YYYY"
    wb.save(HERE / name)


def write_ods(name: str, header: list, rows: list[list], *, numeric_nik_row: int) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P as Para

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Warga")
    for r, row in enumerate([header, *rows], start=1):
        tr = TableRow()
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(Para(text=f"{value:%d-%m-%Y}"))
            elif r == numeric_nik_row + 1 and c == 0:
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(Para(text=f"{float(value):.5E}"))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(Para(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.save(str(HERE / name))


def write_xls(name: str, header: list, rows: list[list], *, numeric_nik_row: int) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Warga")
    date_style = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    for c, value in enumerate(header):
        ws.write(0, c, value)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            elif r == numeric_nik_row and c == 0:
                ws.write(r, c, float(value))
            else:
                ws.write(r, c, value)
    wb.save(str(HERE / name))


OPENSID_COLUMNS = [
    "alamat", "dusun", "rw", "rt", "nama", "no_kk", "nik", "sex", "tempatlahir",
    "tanggallahir", "agama_id", "pendidikan_kk_id", "pendidikan_sedang_id", "pekerjaan_id",
    "status_kawin", "kk_level", "warganegara_id", "ayah_nik", "nama_ayah", "ibu_nik",
    "nama_ibu", "golongan_darah_id", "akta_lahir", "dokumen_pasport", "tanggal_akhir_paspor",
    "dokumen_kitas", "akta_perkawinan", "tanggalperkawinan", "akta_perceraian",
    "tanggalperceraian", "cacat_id", "cara_kb_id", "hamil", "ktp_el", "status_rekam",
    "alamat_sekarang", "status_dasar", "suku", "tag_id_card", "id_asuransi", "no_asuransi",
    "lat", "lng",
]  # fmt: skip


def write_opensid(name: str) -> None:
    kk_c = kk(1400)
    head_born, wife_born = dt.date(1972, 3, 9), dt.date(1976, 10, 21)
    child_born = dt.date(2024, 2, 1)

    def row(**values):
        base = dict.fromkeys(OPENSID_COLUMNS, "")
        base.update(
            alamat="Jl. Kenanga No. 3", dusun="-", rw="-", rt="004", no_kk=kk_c,
            warganegara_id=1, golongan_darah_id=13, status_dasar=1, cacat_id=7, ktp_el=2,
            status_rekam=3, suku="Banjar", lat="-1.2379", lng="116.8529",
        )  # fmt: skip
        base.update(values)
        return [base[c] for c in OPENSID_COLUMNS]

    data = [
        OPENSID_COLUMNS,
        row(nama="Muhammad Rizal", nik=nik(L, head_born, 1401), sex=1, tempatlahir="Banjarmasin",
            tanggallahir=f"{head_born:%d-%m-%Y}", agama_id=1, pendidikan_kk_id=8,
            pendidikan_sedang_id=18, pekerjaan_id=5, status_kawin=2, kk_level=1,
            nama_ayah="Abdul Karim", nama_ibu="Fatimah", akta_lahir="123/1972",
            tanggalperkawinan="12-06-1999"),
        row(nama="Nur Aisyah", nik=nik(P, wife_born, 1402), sex=2, tempatlahir="Balikpapan",
            tanggallahir=f"{wife_born:%d-%m-%Y}", agama_id=1, pendidikan_kk_id=5,
            pendidikan_sedang_id=18, pekerjaan_id=2, status_kawin=2, kk_level=3,
            nama_ayah="Hasan", nama_ibu="Salmah", golongan_darah_id=4),
        row(nama="Bayi Belum Ber-NIK", nik="0", sex=1, tempatlahir="Balikpapan",
            tanggallahir=f"{child_born:%d-%m-%Y}", agama_id=1, pendidikan_kk_id=1,
            pendidikan_sedang_id=1, pekerjaan_id=1, status_kawin=1, kk_level=4,
            nama_ayah="Muhammad Rizal", nama_ibu="Nur Aisyah"),
        ["", "###"],
        row(nama="Setelah Penanda", nik=nik(L, head_born, 1401), sex=1, kk_level=1,
            tanggallahir="01-01-1990", agama_id=1),
    ]  # fmt: skip
    codes = [["Kode", "Keterangan"], [1, "ISLAM"], [2, "KRISTEN"], ["###", ""]]
    write_xlsx(name, [("Kode Data", codes), ("Data Penduduk", data)])


REPORT_HEADERS = [
    "Tanggal", "RT", "Kelurahan", "Jenis Laporan", "Kategori", "Judul", "Tempat", "Lokasi",
    "Jam Mulai", "Jumlah Peserta", "Uraian", "Lembaga Terlibat", "Hasil",
    "Swadaya Tenaga (Rp)", "Swadaya Bahan (Rp)", "Swadaya Uang (Rp)", "BBGRM", "Tindak Lanjut",
    "NIK Almarhum", "Nama Almarhum", "Tanggal Meninggal", "Jam Meninggal", "Tempat Meninggal",
    "Keterangan Tempat Meninggal", "Sebab Kematian", "Yang Menerangkan", "Nama Pelapor",
    "Hubungan Pelapor", "Tempat Pemakaman", "Tanggal Pemakaman", "Catatan",
]  # fmt: skip


def write_report_samples() -> None:
    from tests.imports.report_people import ALIVE, DECEASED, DECEASED_ON, OTHER_RT

    def report(**cells) -> list:
        return [cells.get(h) for h in REPORT_HEADERS]

    death = {
        "Jenis Laporan": "Laporan Kematian", "Tempat Meninggal": "Rumah",
        "Sebab Kematian": "Sakit biasa / tua", "Yang Menerangkan": "Dokter",
        "Nama Pelapor": "Keluarga Uji", "Hubungan Pelapor": "Anak",
        "Tempat Pemakaman": "TPU Karang Rejo",
    }  # fmt: skip
    # 14. XLSX as a kelurahan keeps it: a title above the table, date and time
    # cells, every kind, and the damage: an unknown kind, a future date, an RT
    # outside the importer's region, a resident of another RT, dates typed as
    # text (03/04/2025 is 3 April, day first; 04/13/2025 is no date).
    rows = [
        report(**{"Tanggal": dt.date(2025, 1, 5), "RT": "001", "Jenis Laporan": "Kegiatan Warga",
                  "Kategori": "Posyandu", "Judul": "Posyandu balita Januari",
                  "Tempat": "Balai RT 001", "Jam Mulai": dt.time(8, 0), "Jumlah Peserta": 24,
                  "Uraian": "Penimbangan 24 balita.\nImunisasi campak 3 anak."}),
        report(**{"Tanggal": dt.date(2025, 1, 12), "RT": "001", "Jenis Laporan": "Kerja Bakti",
                  "Kategori": "Parit", "Judul": "Kerja bakti parit Jl. Mawar",
                  "Tempat": "Jl. Mawar",
                  "Jumlah Peserta": "30 orang", "Lembaga Terlibat": "RT, PKK",
                  "Hasil": "200 m parit bersih", "Swadaya Tenaga (Rp)": "Rp 1.500.000",
                  "Swadaya Bahan (Rp)": 250000, "BBGRM": "Tidak"}),
        report(**{"Tanggal": dt.date(2025, 5, 20), "RT": "002", "Jenis Laporan": "BBGRM",
                  "Kategori": "Penghijauan", "Judul": "Tanam pohon BBGRM",
                  "Tempat": "Taman RT 002", "Jumlah Peserta": 18,
                  "Lembaga Terlibat": "RT; Karang Taruna; Sekolah"}),
        report(**{"Tanggal": dt.date(2025, 2, 3), "RT": "001", "Jenis Laporan": "Permasalahan",
                  "Kategori": "Infrastruktur", "Judul": "Lampu jalan mati",
                  "Lokasi": "Gang Melati", "Uraian": "Tiga lampu jalan mati sejak Januari.",
                  "Tindak Lanjut": "Selesai"}),
        report(**{"Tanggal": dt.date(2025, 2, 4), "RT": "002", "Jenis Laporan": "Nihil"}),
        report(**{**death, "Tanggal": dt.date(2025, 3, 15), "RT": "001",
                  "NIK Almarhum": ALIVE.nik, "Nama Almarhum": ALIVE.name,
                  "Tanggal Meninggal": dt.date(2025, 3, 14), "Jam Meninggal": "23.15",
                  "Tempat Meninggal": "RSUD", "Keterangan Tempat Meninggal": "RSUD Kanujoso",
                  "Tanggal Pemakaman": dt.date(2025, 3, 15)}),
        report(**{**death, "Tanggal": dt.date(2025, 3, 11), "RT": "001",
                  "NIK Almarhum": DECEASED.nik, "Nama Almarhum": "Sumarti",
                  "Tanggal Meninggal": DECEASED_ON, "Hubungan Pelapor": "Suami"}),
        report(**{"Tanggal": dt.date(2025, 3, 20), "RT": "001",
                  "Jenis Laporan": "Laporan Banjir"}),
        report(**{"Tanggal": "17-08-2099", "RT": "001", "Jenis Laporan": "Nihil"}),
        report(**{"Tanggal": dt.date(2025, 3, 21), "RT": "001", "Kelurahan": "Karang Jati",
                  "Jenis Laporan": "Nihil"}),
        report(**{**death, "Tanggal": dt.date(2025, 3, 22), "RT": "001",
                  "NIK Almarhum": OTHER_RT.nik, "Nama Almarhum": OTHER_RT.name,
                  "Tanggal Meninggal": dt.date(2025, 3, 21)}),
        report(**{"Tanggal": "03/04/2025", "RT": "001", "Jenis Laporan": "Nihil"}),
        report(**{"Tanggal": "04/13/2025", "RT": "001", "Jenis Laporan": "Nihil"}),
    ]  # fmt: skip
    title = [["REKAP LAPORAN RT KELURAHAN KARANG REJO 2025"], []]
    write_xlsx("laporan_riwayat.xlsx", [("Laporan", [*title, REPORT_HEADERS, *rows])])

    # 15. CSV saved by Excel (UTF-8 with BOM, ";", CRLF) with the usual variants of
    # the headers, Indonesian month names, and damage: "01/02/2025" and
    # "1 Februari 2025" are the same day (day first), so RT 002 reports nothing
    # twice; a future date, an unknown kind, an RT that does not exist, a
    # non-permanent resident's report, a resident of another RT, no real date.
    header = ["Tgl Laporan", "No RT", "Jenis", "Jenis Kegiatan", "Nama Kegiatan",
              "Tempat Kegiatan", "Peserta", "Keterangan", "NIK", "Nama", "Tgl Meninggal",
              "Meninggal Di", "Pelapor", "Hubungan"]  # fmt: skip
    blank = [""] * 10
    rows = [
        ["5 Januari 2025", "RT 001", "Kegiatan", "Pengajian", "Yasinan malam Jumat",
         "Masjid Al-Ikhlas", "40 orang", "Rutin mingguan", "", "", "", "", "", ""],
        ["9 Agt 2025", "001", "Kerja bakti", "Jumat bersih", "Bersih lingkungan Agustus",
         "Jl. Uji RT 001", "25", "", "", "", "", "", "", ""],
        ["01/02/2025", "002", "Nihil", *blank, "", ""],
        ["1 Februari 2025", "002", "Nihil", *blank, "", ""],
        ["17-08-2099", "001", "Nihil", *blank, "", ""],
        ["10-03-2025", "001", "Pesta Rakyat", *blank, "", ""],
        ["12-03-2025", "099", "Nihil", *blank, "", ""],
        ["15-03-2025", "001", "Pendatang", *blank, "", ""],
        ["22 Maret 2025", "001", "Kematian", "", "", "", "", "", OTHER_RT.nik, OTHER_RT.name,
         "21 Maret 2025", "Rumah", "Keluarga Uji", "Anak"],
        ["13/25/2025", "002", "Nihil", *blank, "", ""],
    ]  # fmt: skip
    write_csv("laporan_riwayat.csv", header, rows, sep=";", newline="\r\n", bom=True)


if __name__ == "__main__":
    main()
