"""The landing dashboard: panels, each computing its figures for the user's scope.

The site renders its list of :class:`DashboardPanel` in order. A later page
(reports, audit, imports) adds its own panel without touching the site::

    admin.site.register_dashboard_panel(MyPanel())

The population panel counts in SQL, grouped by the region level just below
the user's own (RT for a Lurah, kelurahan for a Camat, kecamatan for the
city), in three queries whatever the size of the region: residents,
households and RTs, each grouped once. Totals are the sums of the groups.
Every count starts from a selector, so it never includes a row outside the
user's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admin_config.base import scope_of
from backend.accounts.roles import Cap, Level
from backend.population.age import AGE_BANDS, age_band_q, today_wita
from backend.population.codes import LifeStatus, Residency, Sex
from backend.population.selectors import household_list, resident_list
from backend.wilayah.selectors import rt_list


class DashboardPanel:
    """One block of the dashboard. Subclasses set ``template_name`` and fill the context."""

    key: str = ""
    order: int = 100
    template_name: str = ""

    def is_visible(self, request: HttpRequest) -> bool:
        return True

    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}


@dataclass
class RenderedPanel:
    template_name: str
    context: dict[str, Any]
    key: str = ""


# -- population counts ----------------------------------------------------------

# How each grouping level is reached from a resident or household, and from an RT.
_GROUPS = {
    Level.RT: {"member": "rt", "rt": "pk", "name": None},
    Level.KELURAHAN: {
        "member": "rt__kelurahan",
        "rt": "kelurahan",
        "name": "kelurahan__name",
    },
    Level.KECAMATAN: {
        "member": "rt__kelurahan__kecamatan",
        "rt": "kelurahan__kecamatan",
        "name": "kelurahan__kecamatan__name",
    },
}


# The resident changelist filter that selects one region of each level.
_FILTER_PARAM = {
    Level.RT: "rt__id__exact",
    Level.KELURAHAN: "rt__kelurahan__id__exact",
    Level.KECAMATAN: "rt__kelurahan__kecamatan__id__exact",
}


def breakdown_level(scope) -> str:
    """The level just below the user's widest assignment."""
    if scope.is_superuser or scope.held.kota:
        return Level.KECAMATAN
    if scope.held.kecamatan:
        return Level.KELURAHAN
    return Level.RT


@dataclass
class Figures:
    rts: int = 0
    households: int = 0
    kk_needing_update: int = 0
    permanent: int = 0
    non_permanent: int = 0
    male: int = 0
    female: int = 0
    bands: dict[str, int] = field(default_factory=dict)

    def add(self, other: Figures) -> None:
        for name in ("rts", "households", "kk_needing_update", "permanent", "non_permanent"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.male += other.male
        self.female += other.female
        for key, value in other.bands.items():
            self.bands[key] = self.bands.get(key, 0) + value


@dataclass
class Row:
    region_id: int
    label: str
    figures: Figures
    link: str = ""


@dataclass
class PopulationSummary:
    level: str
    total: Figures
    rows: list[Row]
    as_of: Any


def population_summary(actor) -> PopulationSummary:
    """Counts for the actor's scope, grouped one level below it (three SQL queries)."""
    level = breakdown_level(actor.scope)
    paths = _GROUPS[level]
    today = today_wita()
    living = Q(status=LifeStatus.ALIVE)
    permanent = living & Q(residency=Residency.PERMANENT)

    rt_rows = rt_list(actor=actor, cap=Cap.POPULATION_VIEW)
    rt_values = [paths["rt"]]
    if level == Level.RT:
        rt_values += ["number", "kelurahan__name"]
    else:
        rt_values.append(paths["name"])
    regions = {
        r[paths["rt"]]: r for r in rt_rows.order_by().values(*rt_values).annotate(rts=Count("pk"))
    }

    band_counts = {
        f"band_{i}": Count("pk", filter=permanent & age_band_q(band, today=today))
        for i, band in enumerate(AGE_BANDS)
    }
    residents = {
        r["group"]: r
        for r in resident_list(actor=actor)
        .order_by()
        .values(group=F(paths["member"]))
        .annotate(
            permanent=Count("pk", filter=permanent),
            non_permanent=Count("pk", filter=living & Q(residency=Residency.NON_PERMANENT)),
            male=Count("pk", filter=permanent & Q(sex=Sex.MALE)),
            female=Count("pk", filter=permanent & Q(sex=Sex.FEMALE)),
            **band_counts,
        )
    }
    households = {
        h["group"]: h
        for h in household_list(actor=actor)
        .order_by()
        .values(group=F(paths["member"]))
        .annotate(total=Count("pk"), needs_update=Count("pk", filter=Q(needs_update=True)))
    }

    kelurahan_names = {r.get("kelurahan__name") for r in regions.values()}
    rows = []
    for region_id, region in regions.items():
        res = residents.get(region_id, {})
        hh = households.get(region_id, {})
        figures = Figures(
            rts=region["rts"],
            households=hh.get("total", 0),
            kk_needing_update=hh.get("needs_update", 0),
            permanent=res.get("permanent", 0),
            non_permanent=res.get("non_permanent", 0),
            male=res.get("male", 0),
            female=res.get("female", 0),
            bands={band.key: res.get(f"band_{i}", 0) for i, band in enumerate(AGE_BANDS)},
        )
        if level == Level.RT:
            label = f"RT {region['number']:03d}"
            if len(kelurahan_names) > 1:
                label = f"{label} · {region['kelurahan__name']}"
            sort_key = (region["kelurahan__name"], region["number"])
        else:
            label = region[paths["name"]]
            sort_key = (label, 0)
        link = _changelist(
            "population_resident",
            f"{_FILTER_PARAM[level]}={region_id}&status__exact=1&residency__exact=1",
        )
        rows.append((sort_key, Row(region_id=region_id, label=label, figures=figures, link=link)))
    rows = [row for _key, row in sorted(rows, key=lambda item: item[0])]

    total = Figures(bands={band.key: 0 for band in AGE_BANDS})
    for row in rows:
        total.add(row.figures)
    return PopulationSummary(level=level, total=total, rows=rows, as_of=timezone.localtime())


class PopulationPanel(DashboardPanel):
    key = "population"
    order = 10
    template_name = "admin_config/dashboard/population.html"

    def is_visible(self, request: HttpRequest) -> bool:
        return scope_of(request).has(Cap.POPULATION_VIEW)

    def get_context(self, request: HttpRequest) -> dict[str, Any]:
        summary = population_summary(request.user)
        total = summary.total
        bands = [
            {
                "label": band.label,
                "count": total.bands.get(band.key, 0),
                "percent": _percent(total.bands.get(band.key, 0), total.permanent),
                "link": _changelist(
                    "population_resident",
                    f"age_band={band.key}&status__exact=1&residency__exact=1",
                ),
            }
            for band in AGE_BANDS
        ]
        level_titles = {
            Level.RT: _("Per RT"),
            Level.KELURAHAN: _("Per kelurahan"),
            Level.KECAMATAN: _("Per kecamatan"),
        }
        return {
            "summary": summary,
            "total": total,
            "bands": bands,
            "show_breakdown": len(summary.rows) > 1,
            "breakdown_title": level_titles[summary.level],
            "links": {
                "residents": _changelist(
                    "population_resident", "status__exact=1&residency__exact=1"
                ),
                "non_permanent": _changelist(
                    "population_resident", "status__exact=1&residency__exact=2"
                ),
                "households": _changelist("population_household"),
                "kk_needing_update": _changelist("population_household", "needs_update__exact=1"),
                "rts": _changelist("wilayah_rt"),
            },
        }


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _changelist(name: str, query: str = "") -> str:
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{query}" if query else url
