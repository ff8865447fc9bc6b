"""Reading single cells: NIK/KK text, SIAK codes, day-first dates, RT numbers (no database)."""

from datetime import date, datetime

import pytest
from django.utils import translation

from backend.imports import cells, codelists
from backend.population import codes


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6471041705750001", "6471041705750001"),
        ("'6471041705750001", "6471041705750001"),
        (" 6471 0417 0575 0001 ", "6471041705750001"),
        ("6471.0417.0575.0001", "6471041705750001"),
        ("6471-0417-0575-0001", "6471041705750001"),
        ('="6471041705750001"', "6471041705750001"),
        ("", None),
        ("-", None),
        (None, None),
        ("0", None),  # OpenSID: no NIK yet
        (0, None),
    ],
)
def test_nik_typed_as_text_is_cleaned(value, expected):
    assert cells.number_text(value, label="NIK", allow_zero=True) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (6471041705750001, "number_cell"),  # an XLSX/ODS number cell (int)
        (6.471041705750001e15, "number_cell"),  # ... or float
        (6471041705750000, "number_cell"),  # what Excel really keeps: 15 digits and a 0
        ("6471041705750001.0", "decimal"),
        ("6471041705750001,0", "decimal"),
        ("6.47104E+15", "scientific"),
        ("6,47104E+15", "scientific"),
        ("6.471041705750001e15", "scientific"),
        ("647104********0001", "masked"),
        (date(1975, 5, 17), "invalid"),
    ],
)
def test_nik_damaged_by_a_spreadsheet_is_refused(value, code):
    with pytest.raises(cells.CellError) as error:
        cells.number_text(value, label="NIK", allow_zero=True)

    assert error.value.code == code


def test_the_number_cell_message_says_to_format_the_column_as_text():
    with pytest.raises(cells.CellError) as error:
        cells.number_text(6471041705750001, label="NIK")

    assert "Format the column as Text" in str(error.value.message)
    assert "15 digits" in str(error.value.message)


def test_kk_zero_is_not_an_empty_kk():
    assert cells.number_text("0", label="KK") == "0"  # the KK rules refuse it later


@pytest.mark.parametrize(
    ("table", "value", "expected"),
    [
        (codelists.SEX, "L", codes.Sex.MALE),
        (codelists.SEX, "p", codes.Sex.FEMALE),
        (codelists.SEX, "Laki-laki", codes.Sex.MALE),
        (codelists.SEX, "LAKI LAKI", codes.Sex.MALE),
        (codelists.SEX, "Perempuan", codes.Sex.FEMALE),
        (codelists.SEX, 2, codes.Sex.FEMALE),
        (codelists.SEX, "1", codes.Sex.MALE),
        (codelists.SEX, 1.0, codes.Sex.MALE),
        (codelists.RELIGION, "ISLAM", codes.Religion.ISLAM),
        (codelists.RELIGION, "Islam", codes.Religion.ISLAM),
        (codelists.RELIGION, "1", codes.Religion.ISLAM),
        (codelists.RELIGION, "Katolik", codes.Religion.KATHOLIK),
        (codelists.RELIGION, "Buddha", codes.Religion.BUDHA),
        (codelists.MARITAL_STATUS, "K", codes.MaritalStatus.MARRIED),
        (codelists.MARITAL_STATUS, "BK", codes.MaritalStatus.SINGLE),
        (codelists.MARITAL_STATUS, "B", codes.MaritalStatus.SINGLE),
        (codelists.MARITAL_STATUS, "CH", codes.MaritalStatus.DIVORCED),
        (codelists.MARITAL_STATUS, "CM", codes.MaritalStatus.WIDOWED),
        (codelists.MARITAL_STATUS, "KAWIN TERCATAT", codes.MaritalStatus.MARRIED),
        (codelists.RELATIONSHIP, "KEPALA KELUARGA", codes.Relationship.HEAD),
        (codelists.RELATIONSHIP, "KK", codes.Relationship.HEAD),
        (codelists.RELATIONSHIP, "isteri", codes.Relationship.WIFE),
        (codelists.RELATIONSHIP, "4", codes.Relationship.CHILD),
        (codelists.EDUCATION, "SLTA/SEDERAJAT", codes.Education.SLTA),
        (codelists.EDUCATION, "SMA", codes.Education.SLTA),
        (codelists.EDUCATION, "S1", codes.Education.S1),
        (codelists.EDUCATION, "AKADEMI/DIPLOMA III/S. MUDA", codes.Education.D3),
        (codelists.OCCUPATION, "BELUM/TIDAK BEKERJA", codes.Occupation.BELUM_TIDAK_BEKERJA),
        (codelists.OCCUPATION, "Karyawan Swasta", codes.Occupation.KARYAWAN_SWASTA),
        (codelists.OCCUPATION, "IRT", codes.Occupation.MENGURUS_RUMAH_TANGGA),
        (codelists.OCCUPATION, "88", codes.Occupation.WIRASWASTA),
        (codelists.BLOOD_TYPE, "A+", codes.BloodType.A_POS),
        (codelists.BLOOD_TYPE, "A-", codes.BloodType.A_NEG),
        (codelists.BLOOD_TYPE, "ab", codes.BloodType.AB),
        (codelists.BLOOD_TYPE, "O Rh+", codes.BloodType.O_POS),
        (codelists.BLOOD_TYPE, "TIDAK TAHU", codes.BloodType.UNKNOWN),
        (codelists.CITIZENSHIP, "WNI", codes.Citizenship.WNI),
        (codelists.LIFE_STATUS, "Meninggal", codes.LifeStatus.DECEASED),
        (codelists.RESIDENCY, "Tidak Tetap", codes.Residency.NON_PERMANENT),
        (codelists.RELIGION, "", None),
        (codelists.RELIGION, "0", None),  # OpenSID leaves 0 for "not filled"
    ],
)
def test_codes_accept_the_siak_code_the_label_and_the_usual_short_forms(table, value, expected):
    assert table.parse(value) == expected


@pytest.mark.parametrize(("table", "value"), [(codelists.SEX, "X"), (codelists.RELIGION, 99)])
def test_an_unknown_code_lists_the_choices(table, value):
    with pytest.raises(cells.CellError) as error:
        table.parse(value)

    assert error.value.code == "unknown_code"
    assert "1 " in str(error.value.message)


def test_kawin_tercatat_carries_the_recorded_flag():
    assert codelists.marriage_recorded_from_text("Kawin Tercatat") is True
    assert codelists.marriage_recorded_from_text("KAWIN BELUM TERCATAT") is False
    assert codelists.marriage_recorded_from_text("Kawin") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(1975, 8, 17), date(1975, 8, 17)),
        (datetime(1975, 8, 17, 0, 0), date(1975, 8, 17)),
        (27623, date(1975, 8, 17)),  # Excel serial
        ("27623", date(1975, 8, 17)),
        ("17/08/1975", date(1975, 8, 17)),
        ("17-08-1975", date(1975, 8, 17)),
        ("17.08.1975", date(1975, 8, 17)),
        ("05/03/1999", date(1999, 3, 5)),  # day first, never March 5th read as May 3rd
        ("1975-08-17", date(1975, 8, 17)),
        ("1975-08-17 00:00:00", date(1975, 8, 17)),
        ("17 Agustus 1975", date(1975, 8, 17)),
        ("17 AGUSTUS 1975", date(1975, 8, 17)),
        ("17 Agt 1975", date(1975, 8, 17)),
        ("17 Ags. 1975", date(1975, 8, 17)),
        ("17-Agu-1975", date(1975, 8, 17)),
        ("1 Mei 2001", date(2001, 5, 1)),
        ("9 Nopember 1980", date(1980, 11, 9)),
        ("9 Pebruari 1980", date(1980, 2, 9)),
        ("17 Aug 1975", date(1975, 8, 17)),
        ("", None),
    ],
)
def test_dates_are_read_day_first_in_every_usual_spelling(value, expected):
    assert cells.date(value, today=date(2026, 12, 1)) == expected


@pytest.mark.parametrize(
    "value", ["31/02/1980", "17 Agustos 1975", "1975", "13/25/2000", "kemarin"]
)
def test_impossible_dates_are_refused(value):
    with pytest.raises(cells.CellError):
        cells.date(value, today=date(2026, 12, 1))


def test_two_digit_years_take_the_latest_century_not_in_the_future():
    assert cells.date("17-08-75", today=date(2026, 1, 1)) == date(1975, 8, 17)
    assert cells.date("01-02-24", today=date(2026, 1, 1)) == date(2024, 2, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("003", (3, None)),
        ("3", (3, None)),
        (3, (3, None)),
        ("RT 003", (3, None)),
        ("RT.03", (3, None)),
        ("003/005", (3, 5)),
        ("003/000", (3, None)),
        ("", None),
    ],
)
def test_rt_numbers(value, expected):
    assert cells.rt_rw(value) == expected


@pytest.mark.parametrize("value", ["0", "A", "RT", "3.5"])
def test_bad_rt_numbers_are_refused(value):
    with pytest.raises(cells.CellError):
        cells.rt_rw(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Ya", True), ("TIDAK", False), ("y", True), ("Sudah", True), ("Belum", False), (1, True)],
)
def test_yes_no(value, expected):
    assert cells.boolean(value) is expected


def test_phone_number_cells_warn_that_the_leading_zero_may_be_lost():
    assert cells.phone("0812-3456-7890") == ("081234567890", None)
    assert cells.phone("+62 812 3456 7890") == ("+6281234567890", None)
    value, remark = cells.phone(81234567890)
    assert value == "81234567890" and "leading 0" in remark


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Diploma I/II", 6),
        ("DIPLOMA I/II", 6),
        ("Diploma III", 7),
        ("Akademi/Diploma III/Sarjana Muda", 7),
        ("AKADEMI/DIPLOMA III/S. MUDA", 7),
        ("Diploma IV/Strata I", 8),
        ("Tidak/Belum Sekolah", 1),
        ("TIDAK / BELUM SEKOLAH", 1),
    ],
)
def test_education_labels_with_roman_numerals_and_slashes_are_not_confused(typed, code):
    """Regression: punctuation was dropped, so "Diploma I/II" read as "Diploma III"."""
    from backend.imports.codelists import EDUCATION

    assert EDUCATION.parse(typed) == code


def test_every_siak_label_reads_back_as_its_own_code():
    """Export writes labels; importing them must give the same codes (round trip)."""
    from backend.imports import codelists
    from backend.imports.cells import CodeTable

    for name in dir(codelists):
        table = getattr(codelists, name)
        if isinstance(table, CodeTable):
            for code, label in table.labels.items():
                assert table.parse(label) == code, (name, label)
