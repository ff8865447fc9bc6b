"""The landing dashboard: panels, each computing its figures for the user's scope.

The site renders its list of :class:`DashboardPanel` in order. A later page
(reports, audit, imports) adds its own panel without touching the site::

    admin.site.register_dashboard_panel(MyPanel())

The population panel counts in SQL, grouped by the region level just below
the user's own (RT for a Lurah, kelurahan for a Camat, kecamatan for the
city), in one statement whatever the size of the region, with the figures
of ``backend.population.stats`` (one definition of each figure, shared with
GraphQL). Totals are the sums of the rows. Every count is limited by the
user's scope, so it never includes a row the user may not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admin_config.base import scope_of
from backend.accounts.roles import Cap, Level
from backend.population import stats
from backend.population.age import AGE_BANDS, today_wita
from backend.wilayah.selectors import kecamatan_list, kelurahan_list, rt_list


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

# The region rows of each breakdown level, and how their residents, households
# and stays are reached (``backend.population.stats.region_count_expressions``).
# From a resident, household or RT to the region row of each breakdown level.
_OUTER = {
    Level.RT: "rt",
    Level.KELURAHAN: "rt__kelurahan",
    Level.KECAMATAN: "rt__kelurahan__kecamatan",
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
    """One region's figures for the panel, from ``stats.PopulationFigures``."""

    rts: int = 0
    households: int = 0
    kk_needing_update: int = 0
    permanent: int = 0
    non_permanent: int = 0
    open_stays: int = 0
    male: int = 0
    female: int = 0
    bands: dict[str, int] = field(default_factory=dict)

    @property
    def registered_non_permanent(self) -> int:
        """Non-permanent residents in the kelurahan register (not reported stays)."""
        return self.non_permanent - self.open_stays

    @classmethod
    def of(cls, figures: stats.PopulationFigures, rts: int) -> Figures:
        return cls(
            rts=rts,
            households=figures.households,
            kk_needing_update=figures.kk_needing_update,
            permanent=figures.permanent,
            non_permanent=figures.non_permanent,
            open_stays=figures.open_stays,
            male=figures.male,
            female=figures.female,
            bands={band.band: band.total for band in figures.age_bands},
        )

    def add(self, other: Figures) -> None:
        for name in (
            "rts",
            "households",
            "kk_needing_update",
            "permanent",
            "non_permanent",
            "open_stays",
            "male",
            "female",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
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


def _region_rows(actor, level: str):
    """The regions of the breakdown: those holding an RT the actor may view."""
    rts = rt_list(actor=actor, cap=Cap.POPULATION_VIEW)
    if level == Level.RT:
        return rts.select_related("kelurahan"), Value(1)
    if level == Level.KELURAHAN:
        regions = kelurahan_list(actor=actor).filter(pk__in=rts.values("kelurahan_id"))
    else:
        regions = kecamatan_list(actor=actor).filter(pk__in=rts.values("kelurahan__kecamatan_id"))
    # A correlated count, not a join: the region rows stay ungrouped (see stats).
    region_link = _OUTER[level].removeprefix("rt__")
    rts_here = (
        rts.filter(**{region_link: OuterRef("pk")})
        .order_by()
        .values(region_link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return regions, Coalesce(Subquery(rts_here, output_field=IntegerField()), Value(0))


def population_summary(actor) -> PopulationSummary:
    """Counts for the actor's scope, grouped one level below it: one SQL statement.

    The region rows (RTs, kelurahan or kecamatan) are annotated with every
    figure of ``backend.population.stats`` (the same definitions GraphQL
    uses), each a correlated subquery on the row. Totals are the sums of the
    rows.
    """
    level = breakdown_level(actor.scope)
    regions, rt_count = _region_rows(actor, level)
    rows_qs = regions.order_by().annotate(
        n_rts=rt_count,
        **stats.region_count_expressions(
            actor.scope, outer_lookup=_OUTER[level], today=today_wita()
        ),
    )

    regions = list(rows_qs)
    kelurahan_names = {r.kelurahan.name for r in regions} if level == Level.RT else set()
    rows = []
    for region in regions:
        figures = Figures.of(stats.PopulationFigures.from_row(region), rts=region.n_rts)
        if level == Level.RT:
            label = region.label
            if len(kelurahan_names) > 1:
                label = f"{label} · {region.kelurahan.name}"
            sort_key = (region.kelurahan.name, region.number)
        else:
            label = region.name
            sort_key = (label, 0)
        link = _changelist(
            "population_resident",
            f"{_FILTER_PARAM[level]}={region.pk}&status__exact=1&residency__exact=1",
        )
        rows.append((sort_key, Row(region_id=region.pk, label=label, figures=figures, link=link)))
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
                    # urlencode: "60+" would arrive as "60 " and the filter be ignored.
                    urlencode({"age_band": band.key, "status__exact": 1, "residency__exact": 1}),
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
                "open_stays": _changelist("reports_nonpermanentstay", "status=open"),
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
