"""SIAK code lists, as SIAK exports and OpenSID's seed data number them.

The labels are the Indonesian terms of the KK form; they are legal terms,
so they stay Indonesian in the English interface too.
"""

from django.db import models


class Sex(models.IntegerChoices):
    MALE = 1, "Laki-laki"
    FEMALE = 2, "Perempuan"


class Religion(models.IntegerChoices):
    ISLAM = 1, "Islam"
    KRISTEN = 2, "Kristen"
    KATHOLIK = 3, "Katholik"
    HINDU = 4, "Hindu"
    BUDHA = 5, "Budha"
    KHONGHUCU = 6, "Khonghucu"
    KEPERCAYAAN = 7, "Kepercayaan terhadap Tuhan YME / lainnya"


class Education(models.IntegerChoices):
    NONE = 1, "Tidak/belum sekolah"
    SD_NOT_FINISHED = 2, "Belum tamat SD/sederajat"
    SD = 3, "Tamat SD/sederajat"
    SLTP = 4, "SLTP/sederajat"
    SLTA = 5, "SLTA/sederajat"
    D1_D2 = 6, "Diploma I/II"
    D3 = 7, "Akademi/Diploma III/Sarjana Muda"
    S1 = 8, "Diploma IV/Strata I"
    S2 = 9, "Strata II"
    S3 = 10, "Strata III"


class MaritalStatus(models.IntegerChoices):
    SINGLE = 1, "Belum kawin"
    MARRIED = 2, "Kawin"
    DIVORCED = 3, "Cerai hidup"
    WIDOWED = 4, "Cerai mati"


class Relationship(models.IntegerChoices):
    """SHDK: status hubungan dalam keluarga."""

    HEAD = 1, "Kepala keluarga"
    HUSBAND = 2, "Suami"
    WIFE = 3, "Istri"
    CHILD = 4, "Anak"
    CHILD_IN_LAW = 5, "Menantu"
    GRANDCHILD = 6, "Cucu"
    PARENT = 7, "Orang tua"
    PARENT_IN_LAW = 8, "Mertua"
    OTHER_FAMILY = 9, "Famili lain"
    HOUSEHOLD_HELP = 10, "Pembantu"
    OTHER = 11, "Lainnya"


class BloodType(models.IntegerChoices):
    A = 1, "A"
    B = 2, "B"
    AB = 3, "AB"
    O = 4, "O"  # noqa: E741 (blood type O)
    A_POS = 5, "A+"
    A_NEG = 6, "A-"
    B_POS = 7, "B+"
    B_NEG = 8, "B-"
    AB_POS = 9, "AB+"
    AB_NEG = 10, "AB-"
    O_POS = 11, "O+"
    O_NEG = 12, "O-"
    UNKNOWN = 13, "Tidak tahu"


class Citizenship(models.IntegerChoices):
    WNI = 1, "WNI"
    WNA = 2, "WNA"
    DUAL = 3, "Dua kewarganegaraan"


class LifeStatus(models.IntegerChoices):
    """Status dasar."""

    ALIVE = 1, "Hidup"
    DECEASED = 2, "Mati"
    MOVED = 3, "Pindah"
    MISSING = 4, "Hilang"
    LEFT = 6, "Pergi"
    INVALID = 9, "Tidak valid"


class Residency(models.IntegerChoices):
    """Status penduduk."""

    PERMANENT = 1, "Tetap"
    NON_PERMANENT = 2, "Tidak tetap"


class Occupation(models.IntegerChoices):
    BELUM_TIDAK_BEKERJA = 1, "Belum/tidak bekerja"
    MENGURUS_RUMAH_TANGGA = 2, "Mengurus rumah tangga"
    PELAJAR_MAHASISWA = 3, "Pelajar/mahasiswa"
    PENSIUNAN = 4, "Pensiunan"
    PNS = 5, "PNS"
    TNI = 6, "TNI"
    POLRI = 7, "Polri"
    PERDAGANGAN = 8, "Perdagangan"
    PETANI_PEKEBUN = 9, "Petani/pekebun"
    PETERNAK = 10, "Peternak"
    NELAYAN_PERIKANAN = 11, "Nelayan/perikanan"
    INDUSTRI = 12, "Industri"
    KONSTRUKSI = 13, "Konstruksi"
    TRANSPORTASI = 14, "Transportasi"
    KARYAWAN_SWASTA = 15, "Karyawan swasta"
    KARYAWAN_BUMN = 16, "Karyawan BUMN"
    KARYAWAN_BUMD = 17, "Karyawan BUMD"
    KARYAWAN_HONORER = 18, "Karyawan honorer"
    BURUH_HARIAN_LEPAS = 19, "Buruh harian lepas"
    BURUH_TANI_PERKEBUNAN = 20, "Buruh tani/perkebunan"
    BURUH_NELAYAN_PERIKANAN = 21, "Buruh nelayan/perikanan"
    BURUH_PETERNAKAN = 22, "Buruh peternakan"
    PEMBANTU_RUMAH_TANGGA = 23, "Pembantu rumah tangga"
    TUKANG_CUKUR = 24, "Tukang cukur"
    TUKANG_LISTRIK = 25, "Tukang listrik"
    TUKANG_BATU = 26, "Tukang batu"
    TUKANG_KAYU = 27, "Tukang kayu"
    TUKANG_SOL_SEPATU = 28, "Tukang sol sepatu"
    TUKANG_LAS_PANDAI_BESI = 29, "Tukang las/pandai besi"
    TUKANG_JAHIT = 30, "Tukang jahit"
    TUKANG_GIGI = 31, "Tukang gigi"
    PENATA_RIAS = 32, "Penata rias"
    PENATA_BUSANA = 33, "Penata busana"
    PENATA_RAMBUT = 34, "Penata rambut"
    MEKANIK = 35, "Mekanik"
    SENIMAN = 36, "Seniman"
    TABIB = 37, "Tabib"
    PARAJI = 38, "Paraji"
    PERANCANG_BUSANA = 39, "Perancang busana"
    PENTERJEMAH = 40, "Penterjemah"
    IMAM_MASJID = 41, "Imam masjid"
    PENDETA = 42, "Pendeta"
    PASTOR = 43, "Pastor"
    WARTAWAN = 44, "Wartawan"
    USTADZ_MUBALIGH = 45, "Ustadz/mubaligh"
    JURU_MASAK = 46, "Juru masak"
    PROMOTOR_ACARA = 47, "Promotor acara"
    ANGGOTA_DPR_RI = 48, "Anggota DPR-RI"
    ANGGOTA_DPD = 49, "Anggota DPD"
    ANGGOTA_BPK = 50, "Anggota BPK"
    PRESIDEN = 51, "Presiden"
    WAKIL_PRESIDEN = 52, "Wakil presiden"
    ANGGOTA_MK = 53, "Anggota Mahkamah Konstitusi"
    ANGGOTA_KABINET = 54, "Anggota kabinet/kementerian"
    DUTA_BESAR = 55, "Duta besar"
    GUBERNUR = 56, "Gubernur"
    WAKIL_GUBERNUR = 57, "Wakil gubernur"
    BUPATI = 58, "Bupati"
    WAKIL_BUPATI = 59, "Wakil bupati"
    WALIKOTA = 60, "Walikota"
    WAKIL_WALIKOTA = 61, "Wakil walikota"
    ANGGOTA_DPRD_PROVINSI = 62, "Anggota DPRD provinsi"
    ANGGOTA_DPRD_KAB_KOTA = 63, "Anggota DPRD kab/kota"
    DOSEN = 64, "Dosen"
    GURU = 65, "Guru"
    PILOT = 66, "Pilot"
    PENGACARA = 67, "Pengacara"
    NOTARIS = 68, "Notaris"
    ARSITEK = 69, "Arsitek"
    AKUNTAN = 70, "Akuntan"
    KONSULTAN = 71, "Konsultan"
    DOKTER = 72, "Dokter"
    BIDAN = 73, "Bidan"
    PERAWAT = 74, "Perawat"
    APOTEKER = 75, "Apoteker"
    PSIKIATER_PSIKOLOG = 76, "Psikiater/psikolog"
    PENYIAR_TELEVISI = 77, "Penyiar televisi"
    PENYIAR_RADIO = 78, "Penyiar radio"
    PELAUT = 79, "Pelaut"
    PENELITI = 80, "Peneliti"
    SOPIR = 81, "Sopir"
    PIALANG = 82, "Pialang"
    PARANORMAL = 83, "Paranormal"
    PEDAGANG = 84, "Pedagang"
    PERANGKAT_DESA = 85, "Perangkat desa"
    KEPALA_DESA = 86, "Kepala desa"
    BIARAWATI = 87, "Biarawati"
    WIRASWASTA = 88, "Wiraswasta"
    LAINNYA = 89, "Lainnya"
