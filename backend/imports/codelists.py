"""The SIAK code lists (``backend.population.codes``) with the spellings people use.

Each list reads the SIAK number, its label (ignoring case, spaces and
punctuation) and the usual short forms: L/P, K/BK/CH/CM, SD/SMP/SMA/S1,
SIAK's upper-case export labels, OpenSID's labels.
"""

from __future__ import annotations

import re

from backend.imports.cells import CodeTable
from backend.population import codes

SEX = CodeTable(
    codes.Sex.choices,
    {
        "l": 1, "lk": 1, "laki": 1, "laki laki": 1, "pria": 1, "male": 1, "m": 1,
        "p": 2, "pr": 2, "wanita": 2, "female": 2, "f": 2, "w": 2,
    },
)  # fmt: skip

RELIGION = CodeTable(
    codes.Religion.choices,
    {
        "kristen protestan": 2, "protestan": 2,
        "katolik": 3, "kristen katolik": 3, "kristen katholik": 3,
        "buddha": 5, "budha": 5,
        "konghucu": 6, "kong hu cu": 6,
        "kepercayaan": 7, "kepercayaan terhadap tuhan yme": 7, "penghayat kepercayaan": 7,
        "lainnya": 7, "aliran kepercayaan": 7,
    },
)  # fmt: skip

EDUCATION = CodeTable(
    codes.Education.choices,
    {
        "tidak sekolah": 1, "belum sekolah": 1, "tidak/belum sekolah": 1,
        "belum tamat sd": 2, "tidak tamat sd": 2,
        "sd": 3, "tamat sd": 3, "mi": 3,
        "smp": 4, "sltp": 4, "mts": 4, "tamat smp": 4,
        "sma": 5, "slta": 5, "smk": 5, "ma": 5, "stm": 5, "tamat sma": 5,
        "d1": 6, "d2": 6, "diploma i": 6, "diploma ii": 6, "diploma 1": 6, "diploma 2": 6,
        "d3": 7, "diploma iii": 7, "diploma 3": 7, "akademi": 7, "sarjana muda": 7,
        "akademi/diploma iii/s. muda": 7,
        "d4": 8, "s1": 8, "diploma iv": 8, "strata i": 8, "strata 1": 8, "sarjana": 8,
        "s2": 9, "strata 2": 9, "magister": 9,
        "s3": 10, "strata 3": 10, "doktor": 10,
    },
)  # fmt: skip

MARITAL_STATUS = CodeTable(
    codes.MaritalStatus.choices,
    {
        "b": 1, "bk": 1, "belum menikah": 1, "lajang": 1, "tidak kawin": 1,
        "k": 2, "menikah": 2, "kawin tercatat": 2, "kawin belum tercatat": 2,
        "kawin tidak tercatat": 2, "sudah kawin": 2,
        "ch": 3, "cerai": 3, "cerai hidup tercatat": 3, "cerai hidup belum tercatat": 3,
        "cm": 4, "cerai mati tercatat": 4,
    },
)  # fmt: skip

RELATIONSHIP = CodeTable(
    codes.Relationship.choices,
    {
        "kk": 1, "kepala": 1, "kepala kk": 1, "kepala rumah tangga": 1,
        "isteri": 3,
        "anak kandung": 4, "anak angkat": 4, "anak tiri": 4,
        "orangtua": 7, "orang tua": 7, "ortu": 7, "ayah": 7, "ibu": 7,
        "famili": 9, "famili lainnya": 9, "keluarga lain": 9,
        "lain": 11, "lain lain": 11,
    },
)  # fmt: skip

CITIZENSHIP = CodeTable(
    codes.Citizenship.choices,
    {"indonesia": 1, "asing": 2, "ganda": 3, "dwi kewarganegaraan": 3},
)


def _blood_key(value: str) -> str:
    # Keep + and -: "A+" and "A-" are different blood types.
    return re.sub(r"[^0-9a-z+\-]", "", value.lower().replace("rhesus", "").replace("rh", ""))


class _BloodTable(CodeTable):
    def parse(self, value):
        if isinstance(value, str) and value.strip() not in ("-", "--"):
            key = _blood_key(value)
            if key in self.blood_lookup:
                return self.blood_lookup[key]
        return super().parse(value)


BLOOD_TYPE = _BloodTable(
    codes.BloodType.choices,
    {"tidak tahu": 13, "tdk tahu": 13, "belum tahu": 13, "tidak diketahui": 13},
)
BLOOD_TYPE.blood_lookup = {_blood_key(label): code for code, label in BLOOD_TYPE.labels.items()}

LIFE_STATUS = CodeTable(
    codes.LifeStatus.choices,
    {
        "meninggal": 2, "meninggal dunia": 2, "wafat": 2, "almarhum": 2,
        "pindah keluar": 3, "pindah domisili": 3,
    },
)  # fmt: skip

RESIDENCY = CodeTable(
    codes.Residency.choices,
    {
        "permanen": 1, "penduduk tetap": 1,
        "tidak tetap": 2, "non permanen": 2, "sementara": 2, "pendatang": 2,
        "penduduk tidak tetap": 2, "penduduk non permanen": 2,
    },
)  # fmt: skip

OCCUPATION = CodeTable(
    codes.Occupation.choices,
    {
        "tidak bekerja": 1, "belum bekerja": 1, "tidak/belum bekerja": 1,
        "irt": 2, "ibu rumah tangga": 2,
        "pelajar": 3, "mahasiswa": 3, "siswa": 3,
        "pensiun": 4,
        "pegawai negeri sipil": 5, "pegawai negeri sipil (pns)": 5, "asn": 5,
        "tentara nasional indonesia (tni)": 6, "tentara": 6,
        "kepolisian ri (polri)": 7, "polisi": 7,
        "petani": 9, "pekebun": 9,
        "nelayan": 11,
        "swasta": 15, "karyawan": 15, "pegawai swasta": 15,
        "honorer": 18,
        "buruh": 19,
        "supir": 81,
        "wirausaha": 88, "usaha sendiri": 88,
        "lain lain": 89,
    },
)  # fmt: skip


def marriage_recorded_from_text(value) -> bool | None:
    """ "Kawin tercatat" / "Kawin belum tercatat" carry the recorded flag."""
    if not isinstance(value, str):
        return None
    text = value.lower()
    if "tercatat" not in text or not text.strip().startswith("kawin"):
        return None
    return not ("belum" in text or "tidak" in text)
