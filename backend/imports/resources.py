"""django-import-export resources: the columns of each file, in Indonesian.

Each column is a :class:`Column`: the header Lapor RT writes, the aliases it
reads (OpenSID's names, SIAK's, what kelurahan spreadsheets use), and a
widget that reads and writes one cell. Headers are compared ignoring case,
spaces, dots and underscores, so ``No. KK``, ``no_kk`` and ``NO KK`` are the
same column.

The resources serve exports directly (``export_resource``); imports read
the cells through the same widgets but run through the job pipeline
(``backend.imports.runner``), because a plain row-by-row
``Resource.import_data`` can neither group a KK's rows nor keep a 100,000-row
file fast, and stores damaged NIKs without complaint (STACK.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from backend.accounts.roles import Cap
from backend.common.masking import mask_nik, mask_no_kk, mask_number
from backend.imports import codelists
from backend.imports.cells import norm_key
from backend.imports.widgets import (
    CodeWidget,
    DateWidget,
    DigitsTextWidget,
    ExportOnlyWidget,
    NumberTextWidget,
    PhoneWidget,
    RtWidget,
    RwWidget,
    TextWidget,
    YesNoWidget,
)
from backend.population.models import Household, Resident
from backend.wilayah.models import RT

# Headers we recognise and deliberately do not store (OpenSID's template has
# them; Lapor RT keeps no such field), and our own error column.
KNOWN_IGNORED = (
    "no", "nomor", "nomor urut", "no urut", "umur", "usia", "dusun", "lingkungan",
    "pendidikan_sedang_id", "pendidikan sedang", "ayah_nik", "nik ayah", "ibu_nik", "nik ibu",
    "akta_lahir", "akta lahir", "tanggal_akhir_paspor", "akta_perkawinan", "akta_perceraian",
    "tanggalperceraian", "tanggal perceraian", "cacat_id", "cacat", "cara_kb_id", "hamil",
    "ktp_el", "status_rekam", "alamat_sekarang", "suku", "tag_id_card", "id_asuransi",
    "no_asuransi", "lat", "lng", "keterangan", "kesalahan", "errors", "error",
    "jumlah anggota", "kepala keluarga", "nama kepala keluarga", "perlu pembaruan",
)  # fmt: skip


# Columns holding a NIK or KK number: masked in previews and failed-rows files
# for whoever may not see full numbers.
PERSONAL_NUMBER_KEYS = frozenset({"nik", "no_kk", "resident_nik", "informant_nik"})


class Column(fields.Field):
    """A column of a Lapor RT file: its header, its aliases and its widget.

    ``key`` is what the importer fills (a Resident or Household field name,
    or ``rt``/``rw``/``kelurahan``/``kelurahan_code``/``no_kk``).
    """

    def __init__(
        self,
        key: str,
        column_name,
        widget,
        *,
        attribute: str | None = None,
        aliases: tuple[str, ...] = (),
        imported: bool = True,
    ) -> None:
        super().__init__(
            attribute=attribute or key,
            column_name=column_name,
            widget=widget,
            readonly=not imported,
        )
        self.key = key
        self.aliases = aliases
        self.imported = imported

    @property
    def keep_as_text(self) -> bool:
        return getattr(self.widget, "keep_as_text", False)


class LaporResource(resources.ModelResource):
    """Common behaviour: header lookup with aliases, and masking of personal numbers."""

    #: Keys of which a header row must hold at least one to be recognised.
    identity_keys: tuple[str, ...] = ()
    #: Keys whose column every file must have: without one, the file gets one
    #: file-level error naming it (not an error on every row).
    required_keys: tuple[str, ...] = ()

    def __init__(self, *, actor=None, reveal: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.actor = actor
        self.reveal = reveal

    @classmethod
    def columns(cls) -> list[Column]:
        return [f for f in cls().fields.values() if isinstance(f, Column)]

    @classmethod
    def header_index(cls) -> dict[str, Column]:
        """Normalised header -> column (our header, the key, every alias)."""
        index: dict[str, Column] = {}
        for column in cls.columns():
            if not column.imported:
                continue
            for name in (column.column_name, column.key, *column.aliases):
                index.setdefault(norm_key(name), column)
        return index

    @classmethod
    def ignored_headers(cls) -> frozenset[str]:
        exported_only = {norm_key(c.column_name) for c in cls.columns() if not c.imported}
        return frozenset(norm_key(h) for h in KNOWN_IGNORED) | exported_only

    def may_reveal(self, rt: RT) -> bool:
        return (
            self.reveal
            and self.actor is not None
            and self.actor.scope.can(Cap.POPULATION_VIEW_NIK, rt)
        )


def _rt_columns(prefix: str = "") -> dict[str, Column]:
    path = f"{prefix}rt" if prefix else "rt"
    return {
        "rt": Column(
            "rt",
            "RT",
            RtWidget(),
            attribute=path,
            aliases=("nomor rt", "no rt", "rt/rw", "rt rw", "rt_id"),
        ),
        "rw": Column(
            "rw", "RW", RwWidget(), attribute=f"{path}__rw__number", aliases=("nomor rw",)
        ),
        "kelurahan": Column(
            "kelurahan",
            "Kelurahan",
            TextWidget(),
            attribute=f"{path}__kelurahan__name",
            aliases=("desa", "kelurahan/desa", "desa/kelurahan", "nama kelurahan"),
        ),
        "kelurahan_code": Column(
            "kelurahan_code",
            "Kode Kelurahan",
            TextWidget(),
            attribute=f"{path}__kelurahan__code",
            aliases=("kode desa", "kode wilayah"),
        ),
    }


class ResidentResource(LaporResource):
    """One row per resident, the KK's columns repeated on every member's row."""

    identity_keys = ("nik", "name")
    required_keys = ("nik", "name")

    nik = Column(
        "nik",
        "NIK",
        NumberTextWidget("NIK", allow_zero=True),
        aliases=("no nik", "nomor nik", "nomor induk kependudukan", "no ktp", "nik ktp"),
    )
    name = Column(
        "name",
        "Nama Lengkap",
        TextWidget(150),
        aliases=("nama", "nama warga", "nama penduduk", "full name"),
    )
    no_kk = Column(
        "no_kk",
        "No. KK",
        NumberTextWidget(_("KK number"), allow_zero=False),
        attribute="household__no_kk",
        aliases=("nomor kk", "nomor kartu keluarga", "no kartu keluarga", "kk", "nkk"),
    )
    relationship = Column(
        "relationship",
        "Hubungan Keluarga",
        CodeWidget(codelists.RELATIONSHIP),
        aliases=(
            "shdk", "hubungan", "status hubungan dalam keluarga", "stat hub kel",
            "hub keluarga", "hubungan dalam keluarga", "kk_level", "status dalam keluarga",
        ),
    )  # fmt: skip
    sex = Column(
        "sex",
        "Jenis Kelamin",
        CodeWidget(codelists.SEX),
        aliases=("jk", "l/p", "kelamin", "gender", "jenis_kelamin"),
    )
    birth_place = Column(
        "birth_place",
        "Tempat Lahir",
        TextWidget(100),
        aliases=("tempatlahir", "tmp lahir", "tmpt lahir", "tempat_lahir"),
    )
    birth_date = Column(
        "birth_date",
        "Tanggal Lahir",
        DateWidget(),
        aliases=("tanggallahir", "tgl lahir", "tanggal_lahir", "date of birth", "tgllahir"),
    )
    religion = Column("religion", "Agama", CodeWidget(codelists.RELIGION), aliases=("agama_id",))
    education = Column(
        "education",
        "Pendidikan",
        CodeWidget(codelists.EDUCATION),
        aliases=(
            "pendidikan_kk_id", "pendidikan terakhir", "pendidikan dalam kk", "pendidikan_kk",
        ),
    )  # fmt: skip
    occupation = Column(
        "occupation",
        "Pekerjaan",
        CodeWidget(codelists.OCCUPATION),
        aliases=("pekerjaan_id", "jenis pekerjaan"),
    )
    marital_status = Column(
        "marital_status",
        "Status Perkawinan",
        CodeWidget(codelists.MARITAL_STATUS),
        aliases=("status_kawin", "status kawin", "perkawinan", "status pernikahan"),
    )
    marriage_recorded = Column(
        "marriage_recorded",
        "Perkawinan Tercatat",
        YesNoWidget(),
        aliases=("kawin tercatat",),
    )
    marriage_date = Column(
        "marriage_date",
        "Tanggal Perkawinan",
        DateWidget(),
        aliases=("tanggalperkawinan", "tgl perkawinan", "tanggal kawin", "tanggal nikah"),
    )
    citizenship = Column(
        "citizenship",
        "Kewarganegaraan",
        CodeWidget(codelists.CITIZENSHIP),
        aliases=("warganegara_id", "warga negara", "warganegara"),
    )
    blood_type = Column(
        "blood_type",
        "Golongan Darah",
        CodeWidget(codelists.BLOOD_TYPE),
        aliases=("golongan_darah_id", "gol darah", "goldar"),
    )
    passport_number = Column(
        "passport_number",
        "No. Paspor",
        TextWidget(30),
        aliases=("dokumen_pasport", "nomor paspor", "paspor", "dokumen_paspor"),
    )
    kitas_number = Column(
        "kitas_number",
        "No. KITAS/KITAP",
        TextWidget(30),
        aliases=("dokumen_kitas", "no kitas", "no kitap", "kitas/kitap", "kitas"),
    )
    father_name = Column("father_name", "Nama Ayah", TextWidget(150), aliases=("nama_ayah", "ayah"))
    mother_name = Column("mother_name", "Nama Ibu", TextWidget(150), aliases=("nama_ibu", "ibu"))
    status = Column(
        "status",
        "Status Dasar",
        CodeWidget(codelists.LIFE_STATUS),
        aliases=("status_dasar", "status hidup"),
    )
    status_date = Column(
        "status_date",
        "Tanggal Status",
        DateWidget(),
        aliases=("tanggal peristiwa", "tgl peristiwa", "tanggal meninggal", "tanggal pindah"),
    )
    residency = Column(
        "residency",
        "Status Penduduk",
        CodeWidget(codelists.RESIDENCY),
        aliases=("status tinggal", "status kependudukan", "status_penduduk"),
    )
    ikd_activated = Column(
        "ikd_activated", "IKD Aktif", YesNoWidget(), aliases=("ikd", "aktivasi ikd")
    )
    ikd_activated_on = Column(
        "ikd_activated_on",
        "Tanggal Aktivasi IKD",
        DateWidget(),
        aliases=("tgl aktivasi ikd",),
    )
    phone = Column(
        "phone",
        "Telepon",
        PhoneWidget(),
        aliases=("no telepon", "no hp", "nomor hp", "hp", "telp", "no telp", "nomor telepon"),
    )
    address = Column(
        "address",
        "Alamat",
        TextWidget(255),
        attribute="household__address",
        aliases=("alamat kk", "alamat rumah"),
    )
    locals().update(_rt_columns())
    postal_code = Column(
        "postal_code",
        "Kode Pos",
        DigitsTextWidget(5),
        attribute="household__postal_code",
        aliases=("kodepos",),
    )
    issued_on = Column(
        "issued_on",
        "Tanggal KK",
        DateWidget(),
        attribute="household__issued_on",
        aliases=("tanggal terbit kk", "tgl terbit kk", "tanggal kk dikeluarkan"),
    )

    class Meta:
        model = Resident
        fields = (
            "nik", "name", "no_kk", "relationship", "sex", "birth_place", "birth_date",
            "religion", "education", "occupation", "marital_status", "marriage_recorded",
            "marriage_date", "citizenship", "blood_type", "passport_number", "kitas_number",
            "father_name", "mother_name", "status", "status_date", "residency",
            "ikd_activated", "ikd_activated_on", "phone", "address", "rt", "rw", "kelurahan",
            "kelurahan_code", "postal_code", "issued_on",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("nik",)
        skip_unchanged = True
        clean_model_instances = True

    def dehydrate_nik(self, resident: Resident) -> str:
        if not resident.nik or self.may_reveal(resident.rt):
            return resident.nik or ""
        return mask_nik(resident.nik)

    def dehydrate_no_kk(self, resident: Resident) -> str:
        household = resident.household
        if household is None:
            return ""
        if self.may_reveal(resident.rt):
            return household.no_kk
        return mask_no_kk(household.no_kk)

    # A birth date is the part of a NIK the mask hides: exported only where the actor
    # holds Cap.POPULATION_VIEW_NIK (as on GraphQL, without asking to reveal); passport
    # and KITAS numbers likewise masked elsewhere.
    def identity_visible(self, rt: RT) -> bool:
        return self.actor is None or self.actor.scope.can(Cap.POPULATION_VIEW_NIK, rt)

    def dehydrate_birth_date(self, resident: Resident):
        if self.identity_visible(resident.rt):
            return self.fields["birth_date"].export(resident)
        return ""

    def dehydrate_passport_number(self, resident: Resident) -> str:
        if self.identity_visible(resident.rt):
            return resident.passport_number
        return mask_number(resident.passport_number)

    def dehydrate_kitas_number(self, resident: Resident) -> str:
        if self.identity_visible(resident.rt):
            return resident.kitas_number
        return mask_number(resident.kitas_number)


class HouseholdResource(LaporResource):
    identity_keys = ("no_kk",)
    required_keys = ("no_kk",)

    no_kk = Column(
        "no_kk",
        "No. KK",
        NumberTextWidget(_("KK number")),
        aliases=("nomor kk", "nomor kartu keluarga", "no kartu keluarga", "kk", "nkk"),
    )
    head_name = Column(
        "head_name", "Kepala Keluarga", ExportOnlyWidget(), attribute="head_name", imported=False
    )
    address = Column("address", "Alamat", TextWidget(255), aliases=("alamat kk", "alamat rumah"))
    locals().update(_rt_columns())
    postal_code = Column("postal_code", "Kode Pos", DigitsTextWidget(5), aliases=("kodepos",))
    issued_on = Column(
        "issued_on",
        "Tanggal KK",
        DateWidget(),
        aliases=("tanggal terbit kk", "tgl terbit kk", "tanggal kk dikeluarkan"),
    )
    member_count = Column(
        "member_count",
        "Jumlah Anggota",
        ExportOnlyWidget(),
        attribute="member_count",
        imported=False,
    )
    needs_update = Column("needs_update", "Perlu Pembaruan", ExportOnlyWidget(), imported=False)

    class Meta:
        model = Household
        fields = (
            "no_kk", "head_name", "address", "rt", "rw", "kelurahan", "kelurahan_code",
            "postal_code", "issued_on", "member_count", "needs_update",
        )  # fmt: skip
        export_order = fields
        import_id_fields = ("no_kk",)
        skip_unchanged = True

    def dehydrate_no_kk(self, household: Household) -> str:
        if self.may_reveal(household.rt):
            return household.no_kk
        return mask_no_kk(household.no_kk)


class RTResource(LaporResource):
    """The RT list of a kelurahan (regions)."""

    identity_keys = ("rt",)
    required_keys = ("rt",)

    kelurahan = Column(
        "kelurahan",
        "Kelurahan",
        TextWidget(),
        attribute="kelurahan__name",
        aliases=("desa", "kelurahan/desa", "desa/kelurahan", "nama kelurahan"),
    )
    kelurahan_code = Column(
        "kelurahan_code",
        "Kode Kelurahan",
        TextWidget(),
        attribute="kelurahan__code",
        aliases=("kode desa", "kode wilayah"),
    )
    rw = Column("rw", "RW", RwWidget(), attribute="rw__number", aliases=("nomor rw",))
    rt = Column("rt", "RT", RtWidget(), attribute="number", aliases=("nomor rt", "no rt"))
    ketua_name = Column(
        "ketua_name",
        "Nama Ketua RT",
        TextWidget(100),
        aliases=("ketua rt", "ketua", "nama ketua"),
    )
    is_active = Column("is_active", "Aktif", YesNoWidget(), aliases=("status aktif",))

    class Meta:
        model = RT
        fields = ("kelurahan", "kelurahan_code", "rw", "rt", "ketua_name", "is_active")
        export_order = fields
        import_id_fields = ("kelurahan_code", "rw", "rt")
