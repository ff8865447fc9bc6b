"""Weights and places behind the demo population.

Shares are rough, plausible figures for an urban kelurahan in Balikpapan (a
city of migrants from Sulawesi, Java and Kalimantan, with oil, port and
service jobs); they make the demo look like a kelurahan, they are not
statistics. Region codes are Kemendagri province and kota codes; the
kecamatan digits are low numbers that exist in each of those kota.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.population.codes import BloodType, Education, Occupation, Religion

# Where the demo lives.
KECAMATAN_CODE = "64.71.04"  # Balikpapan Tengah
KARANG_REJO = "64.71.04.1003"
KARANG_REJO_HOUSEHOLDS = 4500

# The other kelurahan of Balikpapan Tengah: (RTs that get households, households).
# About 100-300 residents each, enough to show that every region sees only its own.
OTHER_KELURAHAN: dict[str, tuple[int, int]] = {
    "64.71.04.1001": (4, 60),  # Gunung Sari Ulu
    "64.71.04.1002": (3, 40),  # Gunung Sari Ilir
    "64.71.04.1004": (5, 75),  # Karang Jati
    "64.71.04.1005": (3, 35),  # Mekar Sari
    "64.71.04.1006": (4, 55),  # Sumber Rejo
}

HOME_PREFIX = "647104"  # NIK/KK digits 1-6 of Balikpapan Tengah
# Other Balikpapan kecamatan; 647105 is Balikpapan Selatan, the code older
# residents of the area carry from before the 2012 split (DOMAIN.md a).
OTHER_BALIKPAPAN_PREFIXES = ("647101", "647102", "647103", "647106")
OLD_PREFIX = "647105"


@dataclass(frozen=True)
class Origin:
    """A place people move to Balikpapan from: birth-place name and NIK prefixes."""

    name: str
    prefixes: tuple[str, ...]
    weight: float


ORIGINS: tuple[Origin, ...] = (
    Origin("Samarinda", ("647201", "647202", "647203", "647204"), 9),
    Origin("Tenggarong", ("640201", "640202"), 3),
    Origin("Penajam", ("640901", "640902"), 3),
    Origin("Tanah Grogot", ("640101", "640102"), 2),
    Origin("Bontang", ("647401", "647402"), 2),
    Origin("Makassar", ("737101", "737102", "737103", "737104", "737105"), 12),
    Origin("Watampone", ("730801", "730802", "730803"), 6),
    Origin("Parepare", ("737201", "737202", "737203"), 5),
    Origin("Palopo", ("737301", "737302"), 3),
    Origin("Makale", ("731801", "731802"), 3),
    Origin("Banjarmasin", ("637101", "637102", "637103"), 8),
    Origin("Banjarbaru", ("637201", "637202"), 2),
    Origin("Surabaya", ("357801", "357802", "357803", "357804"), 7),
    Origin("Malang", ("357301", "357302", "357303"), 4),
    Origin("Yogyakarta", ("347101", "347102", "347103"), 3),
    Origin("Semarang", ("337401", "337402", "337403"), 3),
    Origin("Bandung", ("327301", "327302", "327303"), 2),
    Origin("Jakarta", ("317401", "317402", "317501"), 2),
    Origin("Palu", ("727101", "727102"), 3),
    Origin("Kendari", ("747101", "747102"), 2),
    Origin("Manado", ("717101", "717102"), 2),
    Origin("Medan", ("127101", "127102"), 1),
    Origin("Kupang", ("537101", "537102"), 1),
    Origin("Mataram", ("527101", "527102"), 1),
    Origin("Ambon", ("817101", "817102"), 1),
)

RELIGIONS: dict[int, float] = {
    Religion.ISLAM: 85,
    Religion.KRISTEN: 8,
    Religion.KATHOLIK: 4.2,
    Religion.BUDHA: 1.6,
    Religion.HINDU: 0.7,
    Religion.KHONGHUCU: 0.3,
    Religion.KEPERCAYAAN: 0.2,
}

# Many KK still say "Tidak tahu"; the rest follow Indonesia's rough shares.
BLOOD_TYPES: dict[int, float] = {
    BloodType.UNKNOWN: 38,
    BloodType.O: 22,
    BloodType.B: 18,
    BloodType.A: 15,
    BloodType.AB: 4.5,
    BloodType.O_POS: 1,
    BloodType.B_POS: 0.7,
    BloodType.A_POS: 0.6,
    BloodType.AB_POS: 0.2,
}

# Highest education of adults (25+), by birth cohort: older people went to
# school less long.
ADULT_EDUCATION: dict[str, dict[int, float]] = {
    "young": {  # born 1980 or later
        Education.SD: 6,
        Education.SLTP: 11,
        Education.SLTA: 48,
        Education.D1_D2: 3,
        Education.D3: 8,
        Education.S1: 21,
        Education.S2: 2.5,
        Education.S3: 0.2,
    },
    "middle": {  # born 1960-1979
        Education.NONE: 1,
        Education.SD_NOT_FINISHED: 2,
        Education.SD: 15,
        Education.SLTP: 17,
        Education.SLTA: 43,
        Education.D1_D2: 3,
        Education.D3: 6,
        Education.S1: 11,
        Education.S2: 1.5,
        Education.S3: 0.2,
    },
    "old": {  # born before 1960
        Education.NONE: 8,
        Education.SD_NOT_FINISHED: 12,
        Education.SD: 30,
        Education.SLTP: 18,
        Education.SLTA: 24,
        Education.D3: 3,
        Education.S1: 5,
    },
}


@dataclass(frozen=True)
class Job:
    occupation: int
    weight: float
    min_education: int = Education.NONE


def _jobs(*rows: tuple) -> tuple[Job, ...]:
    return tuple(Job(*row) for row in rows)


J, E = Occupation, Education
WORKING_MEN = _jobs(
    (J.KARYAWAN_SWASTA, 27, E.SLTP),
    (J.WIRASWASTA, 17),
    (J.KARYAWAN_BUMN, 6, E.SLTA),
    (J.BURUH_HARIAN_LEPAS, 8),
    (J.PEDAGANG, 5),
    (J.SOPIR, 5),
    (J.PNS, 4, E.SLTA),
    (J.TNI, 1.5, E.SLTA),
    (J.POLRI, 1.5, E.SLTA),
    (J.KONSTRUKSI, 3),
    (J.MEKANIK, 3),
    (J.TUKANG_BATU, 2),
    (J.TUKANG_KAYU, 1),
    (J.TUKANG_LAS_PANDAI_BESI, 1),
    (J.TUKANG_LISTRIK, 1),
    (J.TRANSPORTASI, 2),
    (J.PELAUT, 1.5),
    (J.NELAYAN_PERIKANAN, 0.5),
    (J.KARYAWAN_HONORER, 2, E.SLTA),
    (J.GURU, 1.5, E.S1),
    (J.DOSEN, 0.3, E.S2),
    (J.DOKTER, 0.3, E.S1),
    (J.PERAWAT, 0.4, E.D3),
    (J.ARSITEK, 0.2, E.S1),
    (J.AKUNTAN, 0.3, E.S1),
    (J.PENGACARA, 0.1, E.S1),
    (J.USTADZ_MUBALIGH, 0.3),
    (J.IMAM_MASJID, 0.2),
    (J.BELUM_TIDAK_BEKERJA, 2),
)
WORKING_WOMEN = _jobs(
    (J.MENGURUS_RUMAH_TANGGA, 36),
    (J.KARYAWAN_SWASTA, 15, E.SLTP),
    (J.WIRASWASTA, 11),
    (J.PEDAGANG, 8),
    (J.GURU, 5, E.S1),
    (J.PNS, 4, E.SLTA),
    (J.KARYAWAN_HONORER, 3, E.SLTA),
    (J.KARYAWAN_BUMN, 2, E.SLTA),
    (J.PERAWAT, 2, E.D3),
    (J.BIDAN, 1, E.D3),
    (J.DOKTER, 0.3, E.S1),
    (J.APOTEKER, 0.3, E.S1),
    (J.AKUNTAN, 0.3, E.S1),
    (J.PENATA_RIAS, 0.8),
    (J.TUKANG_JAHIT, 0.8),
    (J.JURU_MASAK, 0.5),
    (J.BURUH_HARIAN_LEPAS, 1),
    (J.BELUM_TIDAK_BEKERJA, 3),
)
YOUNG_ADULTS = _jobs(  # 19-24 and not studying
    (J.KARYAWAN_SWASTA, 35, E.SLTP),
    (J.BELUM_TIDAK_BEKERJA, 25),
    (J.WIRASWASTA, 10),
    (J.BURUH_HARIAN_LEPAS, 10),
    (J.PEDAGANG, 5),
    (J.KARYAWAN_HONORER, 5, E.SLTA),
    (J.SOPIR, 3),
    (J.MEKANIK, 3),
)
RETIRED_MEN = _jobs(
    (J.PENSIUNAN, 30, E.SLTA),
    (J.BELUM_TIDAK_BEKERJA, 30),
    (J.WIRASWASTA, 15),
    (J.PEDAGANG, 8),
    (J.BURUH_HARIAN_LEPAS, 4),
    (J.USTADZ_MUBALIGH, 1),
)
RETIRED_WOMEN = _jobs(
    (J.MENGURUS_RUMAH_TANGGA, 55),
    (J.PENSIUNAN, 10, E.SLTA),
    (J.PEDAGANG, 8),
    (J.WIRASWASTA, 7),
    (J.BELUM_TIDAK_BEKERJA, 18),
)
# Boarders and contract workers living in an RT without moving their KK there.
NON_PERMANENT_JOBS = _jobs(
    (J.KARYAWAN_SWASTA, 40, E.SLTP),
    (J.KONSTRUKSI, 15),
    (J.BURUH_HARIAN_LEPAS, 12),
    (J.PELAJAR_MAHASISWA, 18, E.SLTA),
    (J.KARYAWAN_BUMN, 5, E.SLTA),
    (J.PERAWAT, 3, E.D3),
    (J.PEDAGANG, 4),
    (J.MEKANIK, 3),
)
del J, E

# Typical gang and street names of Balikpapan neighbourhoods (generic, not a
# claim about Karang Rejo's real streets).
STREETS = (
    "Jl. Mawar", "Jl. Melati", "Jl. Anggrek", "Gg. Kenanga", "Gg. Flamboyan",
    "Jl. Cempaka", "Gg. Sawo", "Gg. Durian", "Gg. Rambutan", "Gg. Damai",
    "Gg. Sejahtera", "Gg. Rukun", "Gg. Karya", "Gg. Bakti", "Gg. Harapan",
    "Gg. Mufakat", "Gg. Swadaya", "Gg. Keluarga", "Gg. Masjid", "Gg. Langgar",
    "Jl. Merpati", "Gg. Kutilang", "Gg. Nuri", "Gg. Cendrawasih", "Gg. Pipit",
    "Jl. Manunggal", "Gg. Sepakat", "Gg. Bersama", "Gg. Purnama", "Gg. Pelangi",
    "Gg. Mangga", "Gg. Nangka", "Gg. Jambu", "Gg. Belimbing", "Gg. Kelapa",
    "Gg. Sukun", "Gg. Asam", "Gg. Kemuning", "Gg. Teratai", "Gg. Seroja",
)  # fmt: skip
