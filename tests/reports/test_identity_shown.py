"""A stay person's birth date and passport number are shown as NIKs are.

A masked NIK (``647105********0003``) hides only the birth date (digits
7-12, day + 40 for women): whoever sees the birth date next to it rebuilds
the NIK. So Ketua RT, kecamatan staff and the Camat get the birth year and
age and a masked passport number, on every door (GraphQL report details and
stays register, admin report page and stays register); kelurahan staff and
the Lurah, who may see NIKs, get the date. The Ketua RT who wrote a report
sees what they typed while they may still change it.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.reports import services
from backend.reports.choices import Kind, State
from backend.reports.models import NonPermanentStay, Report
from tests.reports.conftest import save, stay_start, today

BIRTH = date(1999, 8, 12)
PASSPORT = "X1234567"

ARRIVAL = """
query($id: ID!) {
  report(id: $id) { stayArrival { nik birthDate birthYear age passportNumber } }
}
"""
STAYS = """
query { nonPermanentStays { results { nik birthDate birthYear age } } }
"""
NO_NIK_RIGHTS = ["ketua_rt_2", "camat"]


def _age() -> int:
    t = today()
    return t.year - BIRTH.year - ((t.month, t.day) < (BIRTH.month, BIRTH.day))


@pytest.fixture
def arrivals(actors, kr):
    """A WNI arrival (approved: a stay in the register) and a WNA arrival waiting,
    both reported by Ketua RT 001."""
    wni = save(actors.ketua_rt_1, Kind.STAY_START, stay_start()).report
    services.report_approve(actor=actors.lurah, report=wni)
    wna = save(
        actors.ketua_rt_1,
        Kind.STAY_START,
        stay_start(nik="", citizenship=2, passport_number=PASSPORT, name="Tamu Asing"),
    ).report
    return wni, wna


def _ketua_2_in_rt1(actors, kr):
    """Ketua RT 002 made Ketua RT of RT 001 too: a Ketua RT of the RT who did not write it."""
    from backend.accounts.models import RoleAssignment
    from backend.accounts.roles import Role

    RoleAssignment.objects.create(user=actors.ketua_rt_2, role=Role.KETUA_RT, rt=kr.rt1)
    actors.ketua_rt_2.__dict__.pop("_scope", None)
    return actors.ketua_rt_2


@pytest.mark.parametrize("role", NO_NIK_RIGHTS)
def test_roles_without_nik_rights_get_year_and_age_and_a_masked_passport(
    gql, actors, kr, arrivals, role
):
    wni, wna = arrivals
    user = _ketua_2_in_rt1(actors, kr) if role == "ketua_rt_2" else getattr(actors, role)
    client = gql(user)
    shown = client.execute(ARRIVAL, {"id": wni.pk})["data"]["report"]["stayArrival"]
    assert shown == {
        "nik": "647105********0003",
        "birthDate": None,
        "birthYear": 1999,
        "age": _age(),
        "passportNumber": "",
    }
    foreign = client.execute(ARRIVAL, {"id": wna.pk})["data"]["report"]["stayArrival"]
    assert foreign["passportNumber"] == "********" and foreign["birthDate"] is None
    stays = client.execute(STAYS)["data"]["nonPermanentStays"]["results"]
    assert stays == [
        {"nik": "647105********0003", "birthDate": None, "birthYear": 1999, "age": _age()}
    ]


@pytest.mark.parametrize("role", ["lurah", "staf_kelurahan"])
def test_kelurahan_staff_who_may_see_niks_get_the_date_and_the_passport(
    gql, actors, kr, arrivals, role
):
    wni, wna = arrivals
    client = gql(getattr(actors, role))
    shown = client.execute(ARRIVAL, {"id": wni.pk})["data"]["report"]["stayArrival"]
    assert shown["birthDate"] == "1999-08-12" and shown["nik"] == "647105********0003"
    foreign = client.execute(ARRIVAL, {"id": wna.pk})["data"]["report"]["stayArrival"]
    assert foreign["passportNumber"] == PASSPORT
    stays = client.execute(STAYS)["data"]["nonPermanentStays"]["results"]
    assert stays[0]["birthDate"] == "1999-08-12"


def test_the_reporter_sees_what_they_typed_only_while_they_may_change_it(gql, actors, kr):
    draft = save(
        actors.ketua_rt_1,
        Kind.STAY_START,
        stay_start(nik="", citizenship=2, passport_number=PASSPORT),
        submit=False,
    ).report
    phone = gql(actors.ketua_rt_1)

    def shown():
        return phone.execute(ARRIVAL, {"id": draft.pk})["data"]["report"]["stayArrival"]

    assert (shown()["birthDate"], shown()["passportNumber"]) == ("1999-08-12", PASSPORT)
    services.report_submit(actor=actors.ketua_rt_1, report=draft)
    assert (shown()["birthDate"], shown()["passportNumber"]) == (None, "********")
    services.report_request_revision(actor=actors.lurah, report=draft, reason="Cek paspor")
    assert shown()["birthDate"] == "1999-08-12"  # sent back: to correct it
    services.report_submit(actor=actors.ketua_rt_1, report=draft)
    services.report_approve(actor=actors.lurah, report=draft)
    assert shown()["birthDate"] is None  # a record now
    stays = phone.execute(STAYS)["data"]["nonPermanentStays"]["results"]
    assert stays[0]["birthDate"] is None  # the register: year only


def test_hiding_the_birth_date_costs_no_query_per_report(gql, actors, kr):
    from backend.population.synthetic import make_nik

    query = """query { reports(filters: {kind: STAY_START}) { results { id
        stayArrival { nik birthDate birthYear passportNumber } } } }"""
    client = gql(actors.camat)
    client.execute("{ me { username } }")
    save(actors.ketua_rt_1, Kind.STAY_START, stay_start())
    with CaptureQueriesContext(connection) as few:
        client.execute(query)
    for serial in range(10, 20):
        save(
            actors.ketua_rt_1,
            Kind.STAY_START,
            stay_start(nik=make_nik("647105", 1, BIRTH, serial)),
        )
    with CaptureQueriesContext(connection) as many:
        result = client.execute(query)
    assert len(result["data"]["reports"]["results"]) == 11
    assert len(few.captured_queries) == len(many.captured_queries)


# -- admin ---------------------------------------------------------------------------


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user, url) -> str:
    response = _admin(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["camat", "staf_kecamatan"])
def test_admin_report_page_shows_year_and_masked_passport_without_nik_rights(
    actors, kr, arrivals, role
):
    wni, wna = arrivals
    page = _page(getattr(actors, role), reverse("admin:reports_report_change", args=[wni.pk]))
    assert "647105********0003" in page
    assert "1999" in page and "12 Agustus 1999" not in page
    page = _page(getattr(actors, role), reverse("admin:reports_report_change", args=[wna.pk]))
    assert PASSPORT not in page and "********" in page


def test_admin_report_page_shows_the_date_to_the_lurah(actors, kr, arrivals):
    wni, wna = arrivals
    page = _page(actors.lurah, reverse("admin:reports_report_change", args=[wni.pk]))
    assert "12 Agustus 1999" in page
    page = _page(actors.lurah, reverse("admin:reports_report_change", args=[wna.pk]))
    assert PASSPORT in page


def test_admin_stays_register_hides_the_date_and_passport_without_nik_rights(actors, kr, arrivals):
    wni, wna = arrivals
    services.report_approve(actor=actors.lurah, report=wna)
    stay = NonPermanentStay.objects.get(opened_by=wni)
    change = reverse("admin:reports_nonpermanentstay_change", args=[stay.pk])
    changelist = reverse("admin:reports_nonpermanentstay_changelist")
    camat_detail = _page(actors.camat, change)
    assert "1999" in camat_detail and "12 Agustus 1999" not in camat_detail
    assert PASSPORT not in _page(actors.camat, changelist)
    assert "12 Agustus 1999" in _page(actors.lurah, change)
    assert PASSPORT in _page(actors.lurah, changelist)


def test_admin_stays_nik_search_is_no_oracle_without_nik_rights(actors, kr, arrivals):
    changelist = reverse("admin:reports_nonpermanentstay_changelist")
    nik = stay_start()["nik"]
    camat = _admin(actors.camat).get(changelist, {"q": nik})
    assert list(camat.context["cl"].result_list) == []
    lurah = _admin(actors.lurah).get(changelist, {"q": nik})
    assert [s.nik for s in lurah.context["cl"].result_list] == [nik]


def test_the_reports_state_decides_for_the_reporter_not_the_reports_age(actors, kr):
    from backend.reports import selectors

    report = save(actors.ketua_rt_1, Kind.STAY_START, stay_start(), submit=False).report
    assert selectors.identity_visible(actors.ketua_rt_1, rt_id=kr.rt1.pk, report=report)
    assert not selectors.identity_visible(actors.ketua_rt_1, rt_id=kr.rt1.pk)
    Report.objects.filter(pk=report.pk).update(state=State.SUBMITTED)
    report.refresh_from_db()
    assert not selectors.identity_visible(actors.ketua_rt_1, rt_id=kr.rt1.pk, report=report)
