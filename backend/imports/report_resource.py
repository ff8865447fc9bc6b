"""The columns of a report file (historical reports import, reports export).

One row per report: the day, the RT, the kind, then the kind's fields. Columns
shared by several kinds are one column: ``Judul`` is an activity's, a gotong
royong's or an issue's title, ``Kategori`` is read with the row's kind
(activity category, gotong royong type, issue field), ``Tempat`` and
``Jumlah Peserta`` serve activities and gotong royong. A death report has its
own columns (``NIK Almarhum``, ``Tanggal Meninggal``, ...). The export writes
the same columns, plus the report number (which a re-import matches on) and
its state.
"""

from __future__ import annotations

from typing import Any

from backend.common.masking import mask_nik
from backend.imports import report_codes
from backend.imports.resources import Column, LaporResource, _rt_columns
from backend.imports.widgets import (
    CodeWidget,
    CountWidget,
    DateWidget,
    ExportOnlyWidget,
    LabelListWidget,
    LabelWidget,
    LongTextWidget,
    MaskableNumberWidget,
    ReportIdWidget,
    RupiahWidget,
    TextWidget,
    TimeWidget,
    YesNoWidget,
)
from backend.reports.choices import Kind
from backend.reports.models import Report

# Column key -> the detail field it fills, per kind (other keys: the same name).
DETAIL_FIELDS: dict[str, dict[str, str]] = {
    Kind.ACTIVITY: {
        "category": "category", "title": "title", "place": "place",
        "start_time": "start_time", "participants": "participants",
        "description": "description",
    },
    Kind.GOTONG_ROYONG: {
        "category": "activity_type", "title": "title", "place": "place",
        "institutions": "institutions", "participants": "participants", "output": "output",
        "labour_value": "labour_value", "materials_value": "materials_value",
        "cash_value": "cash_value", "government_value": "government_value",
        "is_bbgrm": "is_bbgrm", "description": "description",
    },
    Kind.ISSUE: {
        "category": "category", "title": "title", "location": "location",
        "description": "description",
    },
    Kind.DEATH: {
        "resident_nik": "resident_nik", "death_date": "death_date",
        "death_time": "death_time", "death_place": "place",
        "death_place_detail": "place_detail", "cause": "cause", "certifier": "certifier",
        "informant_name": "informant_name",
        "informant_relationship": "informant_relationship",
        "informant_nik": "informant_nik", "burial_place": "burial_place",
        "burial_date": "burial_date",
    },
    Kind.NIHIL: {},
}  # fmt: skip
# Columns that belong to a kind without filling one of its fields.
EXTRA_KEYS: dict[str, frozenset[str]] = {
    Kind.ISSUE: frozenset({"follow_up", "place"}),  # "Tempat" stands in for "Lokasi"
    Kind.DEATH: frozenset({"resident_name"}),
}
CATEGORY_TABLES = {
    Kind.ACTIVITY: report_codes.ACTIVITY_CATEGORY,
    Kind.GOTONG_ROYONG: report_codes.GOTONG_ROYONG_TYPE,
    Kind.ISSUE: report_codes.ISSUE_CATEGORY,
}
COMMON_KEYS = frozenset(
    {"report_id", "report_date", "kind", "rt", "rw", "kelurahan", "kelurahan_code", "note"}
)
SECRET_KEYS = frozenset({"resident_nik", "informant_nik", "stay_nik"})
STATE_LABELS = {
    "draft": "Draf",
    "submitted": "Diajukan",
    "revision_requested": "Perlu Perbaikan",
    "approved": "Disetujui",
    "rejected": "Ditolak",
}


def kind_keys(kind: str) -> frozenset[str]:
    """The columns a row of this kind may fill (besides the common ones)."""
    return frozenset(DETAIL_FIELDS.get(kind, {})) | EXTRA_KEYS.get(kind, frozenset())


class ReportResource(LaporResource):
    """One row per report."""

    identity_keys = ("report_date", "kind")
    required_keys = ("report_date", "kind", "rt")

    report_id = Column(
        "report_id",
        "No. Laporan",
        ReportIdWidget(),
        aliases=("nomor laporan", "no laporan", "id laporan", "laporan id"),
    )
    report_date = Column(
        "report_date",
        "Tanggal",
        DateWidget(),
        aliases=(
            "tanggal laporan", "tgl", "tgl laporan", "tanggal kegiatan", "tanggal kejadian",
            "hari/tanggal", "hari tanggal", "tanggal lapor", "tanggal pelaporan",
        ),
    )  # fmt: skip
    kind = Column(
        "kind",
        "Jenis Laporan",
        LabelWidget(report_codes.KINDS),
        aliases=("jenis", "laporan", "kategori laporan", "tipe laporan", "jenis pelaporan"),
    )
    state = Column("state", "Status", ExportOnlyWidget(), imported=False)
    locals().update(_rt_columns())
    category = Column(
        "category",
        "Kategori",
        TextWidget(100),
        aliases=(
            "kategori kegiatan", "jenis kegiatan", "jenis gotong royong", "jenis kerja bakti",
            "bidang", "bidang masalah", "kategori masalah",
        ),
    )  # fmt: skip
    title = Column(
        "title",
        "Judul",
        TextWidget(150),
        aliases=(
            "nama kegiatan", "kegiatan", "judul kegiatan", "judul laporan", "perihal",
            "uraian singkat", "nama masalah",
        ),
    )  # fmt: skip
    place = Column("place", "Tempat", TextWidget(200), aliases=("tempat kegiatan",))
    location = Column(
        "location", "Lokasi", TextWidget(200), aliases=("lokasi masalah", "alamat lokasi")
    )
    start_time = Column(
        "start_time",
        "Jam Mulai",
        TimeWidget(),
        aliases=("jam", "waktu", "pukul", "jam kegiatan"),
    )
    participants = Column(
        "participants",
        "Jumlah Peserta",
        CountWidget(),
        aliases=("peserta", "jumlah hadir", "jumlah warga", "yang hadir", "jumlah peserta (orang)"),
    )
    description = Column(
        "description",
        "Uraian",
        LongTextWidget(),
        aliases=("deskripsi", "uraian kegiatan", "rincian", "isi laporan", "uraian masalah"),
    )
    institutions = Column(
        "institutions",
        "Lembaga Terlibat",
        LabelListWidget(report_codes.INSTITUTION),
        aliases=("lembaga", "lembaga yang terlibat", "pihak terlibat", "instansi terlibat"),
    )
    output = Column(
        "output", "Hasil", TextWidget(255), aliases=("hasil kegiatan", "volume", "output")
    )
    labour_value = Column(
        "labour_value",
        "Swadaya Tenaga (Rp)",
        RupiahWidget(),
        aliases=("swadaya tenaga", "nilai tenaga", "tenaga"),
    )
    materials_value = Column(
        "materials_value",
        "Swadaya Bahan (Rp)",
        RupiahWidget(),
        aliases=("swadaya bahan", "swadaya material", "nilai bahan", "bahan"),
    )
    cash_value = Column(
        "cash_value",
        "Swadaya Uang (Rp)",
        RupiahWidget(),
        aliases=("swadaya uang", "uang tunai", "iuran warga", "swadaya dana"),
    )
    government_value = Column(
        "government_value",
        "Dana Pemerintah (Rp)",
        RupiahWidget(),
        aliases=("dana pemerintah", "bantuan pemerintah", "dana kelurahan"),
    )
    is_bbgrm = Column("is_bbgrm", "BBGRM", YesNoWidget(), aliases=("termasuk bbgrm",))
    follow_up = Column(
        "follow_up",
        "Tindak Lanjut",
        LabelWidget(report_codes.FOLLOW_UP),
        aliases=("status tindak lanjut", "penanganan"),
    )
    resident_nik = Column(
        "resident_nik",
        "NIK Almarhum",
        MaskableNumberWidget("NIK", allow_zero=False),
        aliases=(
            "nik almarhumah", "nik almarhum/ah", "nik yang meninggal", "nik jenazah",
            "nik meninggal", "nik",
        ),
    )  # fmt: skip
    resident_name = Column(
        "resident_name",
        "Nama Almarhum",
        TextWidget(150),
        aliases=(
            "nama almarhumah", "nama almarhum/ah", "nama yang meninggal", "nama jenazah", "nama",
        ),
    )  # fmt: skip
    death_date = Column(
        "death_date",
        "Tanggal Meninggal",
        DateWidget(),
        aliases=("tgl meninggal", "tanggal kematian", "tanggal wafat", "tgl wafat"),
    )
    death_time = Column(
        "death_time",
        "Jam Meninggal",
        TimeWidget(),
        aliases=("pukul meninggal", "waktu meninggal", "jam kematian"),
    )
    death_place = Column(
        "death_place",
        "Tempat Meninggal",
        LabelWidget(report_codes.DEATH_PLACE),
        aliases=("tempat kematian", "meninggal di"),
    )
    death_place_detail = Column(
        "death_place_detail",
        "Keterangan Tempat Meninggal",
        TextWidget(200),
        aliases=("nama tempat meninggal", "alamat tempat meninggal", "rincian tempat meninggal"),
    )
    cause = Column(
        "cause",
        "Sebab Kematian",
        CodeWidget(report_codes.DEATH_CAUSE),
        aliases=("sebab", "penyebab kematian", "sebab meninggal", "penyebab"),
    )
    certifier = Column(
        "certifier",
        "Yang Menerangkan",
        CodeWidget(report_codes.DEATH_CERTIFIER),
        aliases=("penolong mati", "penolong_mati", "yang menyatakan meninggal", "diterangkan oleh"),
    )
    informant_name = Column(
        "informant_name",
        "Nama Pelapor",
        TextWidget(150),
        aliases=("pelapor", "nama pelapor kematian"),
    )
    informant_relationship = Column(
        "informant_relationship",
        "Hubungan Pelapor",
        LabelWidget(report_codes.INFORMANT_RELATIONSHIP),
        aliases=("hubungan pelapor dengan almarhum", "hubungan dengan almarhum", "hubungan"),
    )
    informant_nik = Column(
        "informant_nik",
        "NIK Pelapor",
        MaskableNumberWidget("NIK", allow_zero=False),
        aliases=("nik pelapor kematian",),
    )
    burial_place = Column(
        "burial_place",
        "Tempat Pemakaman",
        TextWidget(200),
        aliases=("makam", "tempat dimakamkan", "pemakaman", "tpu"),
    )
    burial_date = Column(
        "burial_date",
        "Tanggal Pemakaman",
        DateWidget(),
        aliases=("tgl pemakaman", "tanggal dimakamkan"),
    )
    stay_name = Column("stay_name", "Nama Pendatang", ExportOnlyWidget(), imported=False)
    stay_nik = Column("stay_nik", "NIK Pendatang", ExportOnlyWidget(), imported=False)
    note = Column(
        "note",
        "Catatan",
        LongTextWidget(),
        aliases=("catatan laporan", "keterangan", "ket"),
    )
    decision_reason = Column(
        "decision_reason", "Alasan Keputusan", ExportOnlyWidget(), imported=False
    )

    class Meta:
        model = Report
        fields = (
            "report_id", "report_date", "kind", "state", "rt", "rw", "kelurahan",
            "kelurahan_code", "category", "title", "place", "location", "start_time",
            "participants", "description", "institutions", "output", "labour_value",
            "materials_value", "cash_value", "government_value", "is_bbgrm", "follow_up",
            "resident_nik", "resident_name", "death_date", "death_time", "death_place",
            "death_place_detail", "cause", "certifier", "informant_name",
            "informant_relationship", "informant_nik", "burial_place", "burial_date",
            "stay_name", "stay_nik", "note", "decision_reason",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("report_id",)

    # -- export ------------------------------------------------------------------

    def export_field(self, field, instance: Report, **kwargs) -> Any:
        value = self.value_of(instance, field.key)
        if field.key == "category":
            table = CATEGORY_TABLES.get(instance.kind)
            return table.render(value) if table else ""
        if field.key in SECRET_KEYS:
            return value if not value or self.may_reveal(instance.rt) else mask_nik(value)
        return field.widget.render(value)

    @staticmethod
    def value_of(report: Report, key: str) -> Any:
        """The stored value behind a column, for one report (its details loaded)."""
        rt = report.rt
        common = {
            "report_id": lambda: report.pk,
            "report_date": lambda: report.report_date,
            "state": lambda: STATE_LABELS.get(report.state, report.state),
            "rt": lambda: rt,
            "rw": lambda: rt.rw.number if rt.rw_id else None,
            "kelurahan": lambda: rt.kelurahan.name,
            "kelurahan_code": lambda: rt.kelurahan.code,
            "note": lambda: report.note,
            "decision_reason": lambda: report.decision_reason,
        }
        if key in common:
            return common[key]()
        detail = report.detail()
        if key == "kind":
            return report_codes.kind_label(report.kind, getattr(detail, "issue_type", None))
        if detail is None:
            return None
        if key in ("stay_name", "stay_nik"):
            person = detail.stay if report.kind == Kind.STAY_END else detail
            return getattr(person, key.removeprefix("stay_"), None)
        if key in ("resident_nik", "resident_name") and report.kind == Kind.DEATH:
            return getattr(detail.resident, key.removeprefix("resident_"))
        if key == "follow_up" and report.kind == Kind.ISSUE:
            return detail.follow_up
        name = DETAIL_FIELDS.get(report.kind, {}).get(key)
        return getattr(detail, name) if name else None
