"""Loading the region tree from the project's fixtures (idempotent).

``fixtures/wilayah/wilayah_balikpapan.csv`` holds the official Kemendagri
rows (provinsi, kota, kecamatan, kelurahan); ``rt_counts.csv`` says how
many RTs each kelurahan gets and whether that list is synthetic (see
``fixtures/wilayah/SOURCES.md``). Running it again changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota, Provinsi

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "wilayah"
REGIONS_CSV = FIXTURE_DIR / "wilayah_balikpapan.csv"
RT_COUNTS_CSV = FIXTURE_DIR / "rt_counts.csv"


@dataclass
class LoadResult:
    regions_created: int = 0
    rts_created: int = 0


@transaction.atomic
def load_regions(
    regions_csv: Path = REGIONS_CSV,
    rt_counts_csv: Path | None = RT_COUNTS_CSV,
    *,
    only_kelurahan: set[str] | None = None,
) -> LoadResult:
    """Create missing regions and RTs; existing rows are left as they are.

    ``only_kelurahan`` limits the RTs created to those kelurahan codes (tests).
    """
    result = LoadResult()
    by_code: dict[str, object] = {}
    with open(regions_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code, level, name, parent = row["code"], row["level"], row["name"], row["parent_code"]
            model, parent_field = {
                "provinsi": (Provinsi, None),
                "kota": (Kota, "provinsi"),
                "kecamatan": (Kecamatan, "kota"),
                "kelurahan": (Kelurahan, "kecamatan"),
            }[level]
            defaults = {"name": name}
            if parent_field:
                defaults[parent_field] = by_code[parent]
            obj, created = model.objects.get_or_create(code=code, defaults=defaults)
            by_code[code] = obj
            result.regions_created += created
    if rt_counts_csv is None:
        return result
    with open(rt_counts_csv, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["kelurahan_code"]
            if only_kelurahan is not None and code not in only_kelurahan:
                continue
            kelurahan = by_code[code]
            synthetic = row["synthetic"].strip().lower() == "yes"
            if kelurahan.rt_count_is_synthetic != synthetic:
                kelurahan.rt_count_is_synthetic = synthetic
                kelurahan.save(update_fields=["rt_count_is_synthetic"])
            result.rts_created += ensure_rts(kelurahan, int(row["rt_count"]), synthetic=synthetic)
    return result


def ensure_rts(kelurahan: Kelurahan, count: int, *, synthetic: bool) -> int:
    existing = set(
        RT.objects.filter(kelurahan=kelurahan, rw__isnull=True).values_list("number", flat=True)
    )
    missing = [
        RT(
            kelurahan=kelurahan,
            number=n,
            code=RT.make_code(kelurahan.code, n),
            is_synthetic=synthetic,
        )
        for n in range(1, count + 1)
        if n not in existing
    ]
    RT.objects.bulk_create(missing)
    return len(missing)
