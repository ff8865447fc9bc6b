"""NIK and KK rules: hard errors refuse with an Indonesian message, soft warnings only warn."""

from datetime import date

import pytest
from django.utils import translation

from backend.common.errors import DomainError
from backend.population import codes, services
from backend.population.identity import (
    KkCode,
    NikCode,
    clean_number_text,
    kk_errors,
    kk_warnings,
    nik_errors,
    nik_warnings,
)

BALIKPAPAN = frozenset({"647101", "647102", "647103", "647104", "647105", "647106"})


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


@pytest.mark.parametrize(
    ("nik", "code", "message"),
    [
        ("647104170575001", NikCode.LENGTH, "NIK harus tepat 16 digit; yang diisi 15 digit."),
        ("64710417057500011", NikCode.LENGTH, "NIK harus tepat 16 digit; yang diisi 17 digit."),
        ("6471041705750A01", NikCode.NOT_DIGITS, "NIK hanya boleh berisi angka."),
        (
            "6471040005750001",
            NikCode.DAY,
            "Digit 7-8 NIK (tanggal lahir) harus 01-31, atau 41-71 untuk perempuan; tertulis 00.",
        ),
        (
            "6471047205750001",
            NikCode.DAY,
            "Digit 7-8 NIK (tanggal lahir) harus 01-31, atau 41-71 untuk perempuan; tertulis 72.",
        ),
        (
            "6471041713750001",
            NikCode.MONTH,
            "Digit 9-10 NIK (bulan lahir) harus 01-12; tertulis 13.",
        ),
        (
            "6471041705750000",
            NikCode.SERIAL,
            "Digit 13-16 NIK (nomor urut) tidak boleh 0000.",
        ),
        (
            "6471043102750001",
            NikCode.DATE,
            "Digit 7-12 NIK (310275) bukan tanggal lahir yang nyata.",
        ),
        ("9971041705750001", NikCode.PROVINCE, "Digit 1-2 NIK (99) bukan kode provinsi."),
        (
            "6400041705750001",
            NikCode.REGION_ZERO,
            "Digit 3-6 NIK (kode kota dan kecamatan) tidak boleh berisi 00.",
        ),
    ],
)
def test_bad_nik_is_refused_with_an_indonesian_message(nik, code, message):
    problems = nik_errors(nik)
    assert [p.code for p in problems] == [code]
    assert str(problems[0].message) == message
    assert problems[0].field == "nik"


def test_valid_nik_for_a_man_and_a_woman_has_no_errors_or_warnings():
    man = "6471041705750001"
    woman = "6471045708800002"  # day 17 + 40
    assert nik_errors(man) == []
    assert nik_errors(woman) == []
    assert nik_warnings(man, sex=codes.Sex.MALE, birth_date=date(1975, 5, 17)) == []
    assert nik_warnings(woman, sex=codes.Sex.FEMALE, birth_date=date(1980, 8, 17)) == []


def test_leap_day_nik_is_valid_only_when_some_century_has_that_date():
    assert nik_errors("6471042902000001") == []  # 29-02-2000
    assert [p.code for p in nik_errors("6471042902010001")] == [NikCode.DATE]


def test_female_day_on_a_man_is_a_warning_not_an_error():
    nik = "6471045705750001"  # day 57 = 17 + 40: a woman
    assert nik_errors(nik) == []
    warnings = nik_warnings(nik, sex=codes.Sex.MALE, birth_date=date(1975, 5, 17))
    assert [w.code for w in warnings] == [NikCode.SEX_MISMATCH]
    assert str(warnings[0].message) == (
        "Hari 57 pada NIK berarti Perempuan (tanggal lahir perempuan ditambah 40), "
        "tetapi jenis kelamin yang diisi Laki-laki."
    )


def test_birth_date_differing_from_nik_digits_is_a_warning():
    warnings = nik_warnings("6471041705750001", sex=codes.Sex.MALE, birth_date=date(1975, 5, 18))
    assert [w.code for w in warnings] == [NikCode.BIRTH_DATE_MISMATCH]
    assert "18-05-1975" in str(warnings[0].message)


def test_old_kecamatan_code_is_a_warning_only_for_a_kota_we_know():
    # 647107 is not a current Balikpapan kecamatan; 357801 is Surabaya, which we cannot judge.
    old = nik_warnings(
        "6471071705750001", sex=1, birth_date=None, known_kecamatan_prefixes=BALIKPAPAN
    )
    assert [w.code for w in old] == [NikCode.OLD_KECAMATAN]
    elsewhere = nik_warnings(
        "3578011705750001", sex=1, birth_date=None, known_kecamatan_prefixes=BALIKPAPAN
    )
    assert elsewhere == []


@pytest.mark.parametrize(
    ("no_kk", "code"),
    [
        ("647104020315000", KkCode.LENGTH),
        ("64710402031500A1", KkCode.NOT_DIGITS),
        ("6471043202150001", KkCode.DATE),
        ("6471040213150001", KkCode.DATE),
        ("6471040203150000", KkCode.SERIAL),
    ],
)
def test_bad_kk_number_is_refused(no_kk, code):
    assert [p.code for p in kk_errors(no_kk)] == [code]


def test_kk_recorded_in_the_future_is_refused():
    problems = kk_errors("6471040101300001", today=date(2026, 12, 4))
    # 01-01-30 is taken as 1930, the latest year not in the future: valid.
    assert problems == []
    assert kk_errors("6471040412260001", today=date(2026, 12, 4)) == []


def test_kk_with_unknown_region_is_a_warning():
    warnings = kk_warnings("6471090203150001", known_kecamatan_prefixes=BALIKPAPAN)
    assert [w.code for w in warnings] == [KkCode.UNKNOWN_REGION]


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("'6471041705750001", "6471041705750001"),
        (" 6471 0417 0575 0001 ", "6471041705750001"),
        ("6471.0417.0575.0001", "6471041705750001"),
    ],
)
def test_text_around_a_typed_nik_is_cleaned(typed, clean):
    assert clean_number_text(typed) == clean


def test_duplicate_nik_is_refused_by_the_service(actors, population):
    existing = population.rt1.residents.first()
    with pytest.raises(DomainError) as exc:
        services.resident_register(
            actor=actors.staf_kelurahan,
            household=population.rt1,
            nik=existing.nik,
            name="Warga Kembar",
            sex=existing.sex,
            birth_date=existing.birth_date,
            relationship=codes.Relationship.CHILD,
        )
    assert exc.value.problems[0].code == NikCode.DUPLICATE
    assert exc.value.problems[0].field == "nik"
    assert str(exc.value.problems[0].message) == "NIK ini sudah terdaftar atas nama warga lain."
