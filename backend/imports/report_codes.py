"""The code lists of report files: kinds and each kind's choices, in Indonesian.

Labels here are part of the file format, not of the user interface: an
export writes them and the importer reads them back whatever language the
user works in. Each list also reads the stored code (``posyandu``) and the
spellings RT and kelurahan spreadsheets use (``pengajian``, ``kerja bakti``,
``RSUD``), compared ignoring case, spaces and punctuation.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from backend.imports.cells import CellError, CodeTable, is_empty, norm_key
from backend.imports.readers import text_of
from backend.reports import choices
from backend.reports.choices import Kind


class LabelTable:
    """Text codes (``meeting``) read from their code, their label or an alias."""

    def __init__(self, labels: dict[str, str], aliases: dict[str, str] | None = None) -> None:
        self.labels = labels
        self.lookup: dict[str, str] = {}
        for code, label in labels.items():
            self.lookup[norm_key(code)] = code
            self.lookup[norm_key(label)] = code
        for alias, code in (aliases or {}).items():
            self.lookup[norm_key(alias)] = code

    def parse(self, value: Any) -> str | None:
        if is_empty(value):
            return None
        found = self.lookup.get(norm_key(text_of(value)))
        if found is None:
            raise CellError(
                "unknown_code",
                _("“%(value)s” is not a known value. Use one of: %(choices)s.")
                % {"value": text_of(value), "choices": ", ".join(self.labels.values())},
            )
        return found

    def render(self, code: str | None) -> str:
        return self.labels.get(code, code or "") if code else ""


# The kind column: a kind, or for an issue its type ("issue:need").
KINDS = LabelTable(
    {
        Kind.ACTIVITY: "Kegiatan Warga",
        Kind.DEATH: "Laporan Kematian",
        Kind.GOTONG_ROYONG: "Gotong Royong",
        "issue:problem": "Permasalahan",
        "issue:need": "Kebutuhan",
        "issue:potential": "Potensi",
        Kind.NIHIL: "Nihil",
        Kind.STAY_START: "Penduduk Non Permanen (Datang)",
        Kind.STAY_END: "Penduduk Non Permanen (Selesai)",
    },
    {
        "kegiatan": Kind.ACTIVITY, "kegiatan rt": Kind.ACTIVITY,
        "kegiatan masyarakat": Kind.ACTIVITY, "laporan kegiatan": Kind.ACTIVITY,
        "kematian": Kind.DEATH, "meninggal": Kind.DEATH, "meninggal dunia": Kind.DEATH,
        "kematian warga": Kind.DEATH, "lapor kematian": Kind.DEATH,
        "gotong royong / bbgrm": Kind.GOTONG_ROYONG, "kerja bakti": Kind.GOTONG_ROYONG,
        "bbgrm": Kind.GOTONG_ROYONG, "goro": Kind.GOTONG_ROYONG,
        "bulan bakti gotong royong masyarakat": Kind.GOTONG_ROYONG,
        "masalah": "issue:problem", "problem": "issue:problem",
        "need": "issue:need", "potential": "issue:potential",
        "permasalahan, kebutuhan, atau potensi": Kind.ISSUE,
        "permasalahan / kebutuhan / potensi": Kind.ISSUE, "issue": Kind.ISSUE,
        "tidak ada laporan": Kind.NIHIL, "tidak ada kejadian": Kind.NIHIL,
        "laporan nihil": Kind.NIHIL, "nothing to report": Kind.NIHIL,
        "penduduk non permanen": Kind.STAY_START, "non permanen": Kind.STAY_START,
        "pendatang": Kind.STAY_START, "penduduk sementara": Kind.STAY_START,
        "kedatangan": Kind.STAY_START, "selesai tinggal": Kind.STAY_END,
    },
)  # fmt: skip
BBGRM_WORDS = frozenset({norm_key("bbgrm"), norm_key("bulan bakti gotong royong masyarakat")})


def kind_label(kind: str, issue_type: str | None = None) -> str:
    if kind == Kind.ISSUE and issue_type:
        return KINDS.render(f"issue:{issue_type}")
    return KINDS.render(kind)


ACTIVITY_CATEGORY = LabelTable(
    {
        "meeting": "Rapat Warga", "posyandu": "Posyandu", "religious": "Keagamaan",
        "sport": "Olahraga", "social": "Sosial", "education": "Pendidikan/Pelatihan",
        "health": "Kesehatan", "security": "Ronda/Siskamling", "culture": "Seni Budaya",
        "other": "Lainnya",
    },
    {
        "rapat": "meeting", "rapat rt": "meeting", "musyawarah": "meeting",
        "pertemuan": "meeting", "pertemuan warga": "meeting",
        "posyandu balita": "posyandu", "posyandu lansia": "posyandu",
        "kegiatan keagamaan": "religious", "pengajian": "religious", "yasinan": "religious",
        "ibadah": "religious", "maulid": "religious",
        "senam": "sport", "jalan sehat": "sport",
        "kegiatan sosial": "social", "santunan": "social",
        "pendidikan": "education", "pelatihan": "education", "penyuluhan": "education",
        "sosialisasi": "education",
        "pemeriksaan kesehatan": "health", "fogging": "health", "vaksinasi": "health",
        "ronda": "security", "siskamling": "security", "keamanan": "security",
        "seni": "culture", "budaya": "culture", "kesenian": "culture",
        "seni dan budaya": "culture",
        "lain lain": "other", "lainlain": "other",
    },
)  # fmt: skip

GOTONG_ROYONG_TYPE = LabelTable(
    {
        "cleaning": "Kebersihan Jalan/Fasilitas Umum", "drains": "Parit/Drainase",
        "planting": "Penanaman Pohon", "repair": "Perbaikan Fasilitas",
        "building": "Pembangunan Prasarana", "waste_bank": "Bank Sampah",
        "social_aid": "Bakti Sosial", "other": "Lainnya",
    },
    {
        "kebersihan": "cleaning", "bersih jalan": "cleaning", "bersih lingkungan": "cleaning",
        "jumat bersih": "cleaning", "pembersihan": "cleaning", "kebersihan lingkungan": "cleaning",
        "parit": "drains", "drainase": "drains", "selokan": "drains", "got": "drains",
        "sungai": "drains", "normalisasi parit": "drains",
        "penghijauan": "planting", "tanam pohon": "planting", "menanam pohon": "planting",
        "perbaikan": "repair", "renovasi": "repair", "perbaikan jalan": "repair",
        "pembangunan": "building", "semenisasi": "building", "pengecoran": "building",
        "baksos": "social_aid",
        "lain lain": "other",
    },
)  # fmt: skip

ISSUE_CATEGORY = LabelTable(
    {
        "infrastructure": "Infrastruktur", "health": "Kesehatan", "environment": "Lingkungan",
        "security": "Keamanan", "social": "Sosial", "economy": "Ekonomi",
    },
    {
        "prasarana": "infrastructure", "sarana prasarana": "infrastructure",
        "jalan": "infrastructure",
        "kebersihan": "environment", "sampah": "environment",
        "ketertiban": "security", "kamtibmas": "security",
        "umkm": "economy",
    },
)  # fmt: skip

FOLLOW_UP = LabelTable(
    {"new": "Baru", "in_progress": "Diproses", "done": "Selesai"},
    {
        "belum": "new", "belum ditangani": "new", "proses": "in_progress",
        "sedang diproses": "in_progress", "ditangani": "in_progress", "sudah": "done",
        "tuntas": "done",
    },
)  # fmt: skip

DEATH_PLACE = LabelTable(
    {
        "home": "Rumah", "hospital": "Rumah Sakit", "health_centre": "Puskesmas/Klinik",
        "on_the_way": "Dalam Perjalanan", "other": "Lainnya",
    },
    {
        "di rumah": "home", "rumah duka": "home", "kediaman": "home",
        "rs": "hospital", "rsud": "hospital", "rumah sakit umum": "hospital",
        "puskesmas": "health_centre", "klinik": "health_centre",
        "perjalanan": "on_the_way", "di jalan": "on_the_way",
        "tempat lain": "other", "lain lain": "other",
    },
)  # fmt: skip

INFORMANT_RELATIONSHIP = LabelTable(
    {
        "spouse": "Suami/Istri", "child": "Anak", "parent": "Orang Tua",
        "sibling": "Saudara Kandung", "other_family": "Keluarga Lain", "ketua_rt": "Ketua RT",
        "neighbour": "Tetangga", "other": "Lainnya",
    },
    {
        "suami": "spouse", "istri": "spouse", "isteri": "spouse", "pasangan": "spouse",
        "anak kandung": "child",
        "ayah": "parent", "ibu": "parent", "bapak": "parent", "orangtua": "parent",
        "saudara": "sibling", "kakak": "sibling", "adik": "sibling",
        "keluarga": "other_family", "famili": "other_family", "cucu": "other_family",
        "menantu": "other_family", "keponakan": "other_family", "paman": "other_family",
        "bibi": "other_family",
        "rt": "ketua_rt", "pak rt": "ketua_rt",
        "lain lain": "other",
    },
)  # fmt: skip

INSTITUTION = LabelTable(
    {
        "rt": "RT", "lpm": "LPM", "pkk": "PKK", "karang_taruna": "Karang Taruna",
        "posyandu": "Posyandu", "religious": "Kelompok Keagamaan", "school": "Sekolah",
        "company": "Perusahaan", "government": "Instansi Pemerintah", "other": "Lainnya",
    },
    {
        "majelis taklim": "religious", "masjid": "religious", "gereja": "religious",
        "remaja masjid": "religious", "kelompok pengajian": "religious",
        "swasta": "company", "csr": "company",
        "pemerintah": "government", "kelurahan": "government", "kecamatan": "government",
        "dinas": "government",
        "lain lain": "other",
    },
)  # fmt: skip

DEATH_CAUSE = CodeTable(
    choices.DeathCause.choices,
    {
        "sakit": 1, "tua": 1, "sakit biasa": 1, "usia lanjut": 1, "wabah": 2,
        "kriminal": 4, "pembunuhan": 4, "lain lain": 6,
    },
)  # fmt: skip

DEATH_CERTIFIER = CodeTable(
    choices.DeathCertifier.choices,
    {
        "bidan": 2, "perawat": 2, "nakes": 2, "polisi": 3, "lain lain": 4,
    },
)  # fmt: skip
