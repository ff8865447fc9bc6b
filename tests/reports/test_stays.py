"""Non-permanent residents: arrival opens a stay, an end-of-stay report closes it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.common.errors import DomainError
from backend.population import codes
from backend.population.models import Resident
from backend.reports import selectors, services
from backend.reports.choices import Kind, State
from backend.reports.models import NonPermanentStay, Report
from tests.reports.conftest import save, stay_start, today


def _open_stay(actors, **extra) -> NonPermanentStay:
    report = save(actors.ketua_rt_1, Kind.STAY_START, stay_start(**extra)).report
    services.report_approve(actor=actors.staf_kelurahan, report=report)
    return NonPermanentStay.objects.get(opened_by=report)


def test_approved_arrival_opens_a_stay_counted_apart_from_residents(actors, kr):
    residents_before = Resident.objects.count()
    report = save(actors.ketua_rt_1, Kind.STAY_START, stay_start()).report
    assert not NonPermanentStay.objects.exists()  # only after approval
    services.report_approve(actor=actors.staf_kelurahan, report=report)
    stay = NonPermanentStay.objects.get()
    assert stay.rt == kr.rt1 and stay.is_open and stay.name == "Pendatang Uji"
    assert stay.opened_by == report
    assert Resident.objects.count() == residents_before  # never a permanent resident row


def test_end_of_stay_report_closes_the_stay(actors, kr):
    stay = _open_stay(actors)
    end = save(
        actors.ketua_rt_1,
        Kind.STAY_END,
        {"stay_id": stay.pk, "end_date": today(), "reason": "returned"},
    ).report
    services.report_approve(actor=actors.lurah, report=end)
    stay.refresh_from_db()
    assert not stay.is_open and stay.end_date == today() and stay.closed_by == end
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.STAY_END,
            {"stay_id": stay.pk, "end_date": today(), "reason": "returned"},
        )
    assert exc.value.code == "stay_already_closed"


def test_the_same_person_may_come_back_after_a_stay_ends(actors, kr):
    stay = _open_stay(actors)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start())
    assert (exc.value.code, exc.value.field) == ("stay_already_open", "nik")
    end = save(
        actors.ketua_rt_1,
        Kind.STAY_END,
        {"stay_id": stay.pk, "end_date": today(), "reason": "moved_on"},
    ).report
    services.report_approve(actor=actors.lurah, report=end)
    _open_stay(actors, start_date=today())
    assert NonPermanentStay.objects.filter(nik=stay.nik).count() == 2


def test_a_stay_longer_than_one_year_is_a_formal_move_not_a_stay(actors, kr):
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_1,
            Kind.STAY_START,
            stay_start(expected_end_date=today() + timedelta(days=400)),
        )
    assert (exc.value.code, exc.value.field) == ("stay_too_long", "expected_end_date")


def test_stays_near_and_past_one_year_are_flagged(actors, kr):
    stay = _open_stay(actors)
    NonPermanentStay.objects.filter(pk=stay.pk).update(start_date=today() - timedelta(days=350))
    flagged = selectors.with_stay_flags(NonPermanentStay.objects.all()).get()
    assert (flagged.near_limit, flagged.over_limit) == (True, False)
    NonPermanentStay.objects.filter(pk=stay.pk).update(start_date=today() - timedelta(days=370))
    flagged = selectors.with_stay_flags(NonPermanentStay.objects.all()).get()
    assert (flagged.near_limit, flagged.over_limit) == (False, True)


def test_wni_needs_a_valid_nik_and_wna_a_passport(actors, kr):
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(nik="12345"))
    assert exc.value.field == "nik"
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(nik="", citizenship=2))
    assert exc.value.field == "passport_number"
    report = save(
        actors.ketua_rt_1,
        Kind.STAY_START,
        stay_start(nik="", citizenship=2, passport_number="X1234567"),
    ).report
    assert report.staystartdetail.passport_number == "X1234567"


def test_host_household_from_another_rt_is_refused(actors, population):
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(host_household_id=population.rt2.pk))
    assert (exc.value.code, exc.value.field) == ("not_found", "host_household")
    report = save(
        actors.ketua_rt_1,
        Kind.STAY_START,
        stay_start(host_household_id=population.rt1.pk, host_address=""),
    ).report
    assert report.staystartdetail.host_household == population.rt1


def test_a_permanent_resident_of_the_rt_is_not_a_non_permanent_one(actors, population):
    nik = population.rt1.residents.first().nik
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(nik=nik))
    assert exc.value.code == "permanent_resident"


def test_stay_of_another_rt_cannot_be_ended(actors, kr):
    stay = _open_stay(actors)
    with pytest.raises(DomainError) as exc:
        save(
            actors.ketua_rt_2,
            Kind.STAY_END,
            {"stay_id": stay.pk, "end_date": today(), "reason": "returned"},
        )
    assert (exc.value.code, exc.value.field) == ("not_found", "stay")


def test_stay_dates_in_the_future_are_refused(actors, kr):
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(start_date=today() + timedelta(1)))
    assert (exc.value.code, exc.value.field) == ("date_in_future", "start_date")
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(birth_date=date(2999, 1, 1)))
    assert exc.value.field == "birth_date"


# -- the register and the stays: one rule (backend.population.stats) ------------------


def _register_non_permanent(rt, nik: str):
    from backend.population.models import Resident

    return Resident.objects.create(
        nik=nik,
        name="Anak Kos Terdaftar",
        sex=1,
        birth_date=date(1999, 8, 12),
        rt=rt,
        residency=codes.Residency.NON_PERMANENT,
    )


def test_a_resident_registered_elsewhere_in_the_kelurahan_cannot_open_a_stay(actors, population):
    nik = population.rt2.residents.first().nik  # a permanent resident of RT 002
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start(nik=nik))
    assert (exc.value.code, exc.value.field) == ("registered_resident", "nik")


def test_a_non_permanent_resident_of_the_register_is_not_reported_again(actors, kr):
    _register_non_permanent(kr.rt2, "6471051208990003")
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start())
    assert exc.value.code == "registered_non_permanent"


def test_a_resident_of_another_kelurahan_may_stay_here(actors, population):
    """The usual boarder: their KK is elsewhere in the city."""
    nik = population.karang_jati.residents.first().nik
    report = save(actors.ketua_rt_1, Kind.STAY_START, stay_start(nik=nik)).report
    services.report_approve(actor=actors.lurah, report=report)
    assert NonPermanentStay.objects.get(opened_by=report).nik == nik


def test_approval_refuses_a_stay_whose_nik_entered_the_register_meanwhile(actors, kr):
    report = save(actors.ketua_rt_1, Kind.STAY_START, stay_start()).report
    _register_non_permanent(kr.rt1, "6471051208990003")  # e.g. an import, after sending
    with pytest.raises(DomainError) as exc:
        services.report_approve(actor=actors.lurah, report=report)
    assert exc.value.code == "registered_non_permanent"
    assert Report.objects.get(pk=report.pk).state == State.SUBMITTED
    assert not NonPermanentStay.objects.exists()


def test_population_figures_count_the_register_and_the_open_stays(actors, population, gql):
    from backend.population import stats
    from backend.population.selectors import household_list, resident_list
    from backend.reports.selectors import stay_list

    _register_non_permanent(population.rt1.rt, "6471055506010004")
    _open_stay(actors)  # another person (a NIK of elsewhere), reported and approved
    lurah = actors.lurah
    figures = stats.figures_for(
        lurah.scope,
        resident_list(actor=lurah),
        household_list(actor=lurah),
        stay_list(actor=lurah),
    )
    assert (figures.non_permanent, figures.open_stays) == (2, 1)
    assert figures.living == figures.permanent + figures.non_permanent

    data = gql(lurah).execute(
        "{ populationStats { nonPermanent openStays living permanent }"
        ' rt(code: "64.71.04.1003.001") { populationStats { nonPermanent openStays } } }'
    )["data"]
    assert data["populationStats"]["nonPermanent"] == 2
    assert data["populationStats"]["openStays"] == 1
    assert data["rt"]["populationStats"] == {"nonPermanent": 2, "openStays": 1}
    # Another kelurahan's Lurah counts neither.
    other = gql(actors.lurah_karang_jati).execute("{ populationStats { nonPermanent openStays } }")
    assert other["data"]["populationStats"] == {"nonPermanent": 0, "openStays": 0}


def _ketua_of(regions, kelurahan, number: int):
    from backend.accounts.models import RoleAssignment, User
    from backend.accounts.roles import Role

    user = User.objects.create_user(f"ketua.{kelurahan.code}.{number}", password="x-uji-12345")
    RoleAssignment.objects.create(user=user, role=Role.KETUA_RT, rt=regions.rt(kelurahan, number))
    return user


ELSEWHERE = (
    "Orang ini masih tercatat atau sedang dilaporkan tinggal sebagai penduduk non permanen "
    "di tempat lain; kantor kelurahan dapat membantu mengakhirinya."
)


@pytest.mark.parametrize("approved", [True, False], ids=["open", "pending"])
def test_an_arrival_says_only_elsewhere_for_a_stay_in_another_region(actors, kr, regions, approved):
    """M5: the refusal names no RT or kelurahan, and does not tell open from pending."""
    other = _ketua_of(regions, regions.karang_jati, 1)
    first = save(other, Kind.STAY_START, stay_start()).report
    if approved:
        services.report_approve(actor=actors.lurah_karang_jati, report=first)
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start())
    (problem,) = exc.value.problems
    assert (problem.code, problem.field) == ("stay_already_open", "nik")
    assert problem.render() == ELSEWHERE
    for revealing in ("RT 001", "Karang Jati", "menunggu keputusan"):
        assert revealing not in problem.render()


def test_an_arrival_in_the_reporters_own_rt_says_so(actors, kr):
    save(actors.ketua_rt_1, Kind.STAY_START, stay_start())
    with pytest.raises(DomainError) as pending:
        save(actors.ketua_rt_1, Kind.STAY_START, stay_start())
    assert pending.value.problems[0].render() == (
        "Laporan kedatangan untuk orang ini di RT ini sudah ada dan sedang menunggu keputusan."
    )
    with pytest.raises(DomainError) as elsewhere:
        save(actors.ketua_rt_2, Kind.STAY_START, stay_start())
    assert elsewhere.value.problems[0].render() == ELSEWHERE


def test_a_stay_whose_person_entered_the_register_is_counted_once_with_a_warning(
    actors, population
):
    """Registering (or importing) someone who still has an open stay: allowed, warned,
    and from then on counted by the register only, until the end-of-stay report."""
    from backend.population import services as population_services
    from backend.population import stats
    from backend.population.selectors import household_list, resident_list
    from backend.reports.selectors import stay_list

    stay = _open_stay(actors)
    lurah = actors.lurah

    def figures():
        return stats.figures_for(
            lurah.scope,
            resident_list(actor=lurah),
            household_list(actor=lurah),
            stay_list(actor=lurah),
        )

    before = figures()
    assert before.open_stays == 1
    resident = population_services.resident_register(
        actor=actors.staf_kelurahan,
        rt=population.rt2.rt,
        nik=stay.nik,
        name=stay.name,
        sex=stay.sex,
        birth_date=stay.birth_date,
    )
    codes_ = [w.code for w in population_services.resident_warnings(resident)]
    assert "open_stay" in codes_
    after = figures()
    assert after.open_stays == 0
    assert after.living == before.living  # the same person, now in the register instead
    assert NonPermanentStay.objects.get(pk=stay.pk).is_open  # the RT still ends it


def test_a_resident_without_an_open_stay_gets_no_stay_warning(actors, population):
    from backend.population import services as population_services

    resident = population.rt1.residents.first()
    assert "open_stay" not in [w.code for w in population_services.resident_warnings(resident)]


def test_an_arrival_whose_nik_disagrees_with_sex_and_birth_date_gets_soft_warnings(actors, kr):
    from django.utils import translation

    # NIK 6471051208990003 encodes a man born 12-08-1999.
    with translation.override("id"):
        result = save(
            actors.ketua_rt_1, Kind.STAY_START, stay_start(sex=2, birth_date=date(1999, 8, 13))
        )
    assert result.report.state == State.SUBMITTED  # warnings never refuse
    assert [(w.code, w.field) for w in result.warnings] == [
        ("nik_sex_mismatch", "nik"),
        ("nik_birth_date_mismatch", "nik"),
    ]
    assert "13-08-1999" in result.warnings[1].render()


def test_an_arrival_whose_nik_matches_has_no_warning(actors, kr):
    assert save(actors.ketua_rt_1, Kind.STAY_START, stay_start()).warnings == []


def test_graphql_arrival_returns_the_nik_warnings_on_the_nik_field(actors, kr, gql):
    from tests.reports.conftest import key

    mutation = """
    mutation($input: StayArrivalReportInput!) { reportStayArrivalSave(input: $input) {
      report { state } errors { code field } warnings { code field message } } }"""
    start = today() - timedelta(days=3)
    variables = {
        "input": {
            "clientKey": key(),
            "nik": "6471051208990003",
            "name": "Pendatang Uji",
            "sex": "FEMALE",
            "birthDate": "1999-08-12",
            "originAddress": "Samarinda",
            "purpose": "WORK",
            "hostAddress": "Kos Melati",
            "startDate": start.isoformat(),
        }
    }
    out = gql(actors.ketua_rt_1).execute(mutation, variables, HTTP_ACCEPT_LANGUAGE="id")
    data = out["data"]["reportStayArrivalSave"]
    assert data["errors"] == [] and data["report"]["state"] == "SUBMITTED"
    assert [(w["code"], w["field"]) for w in data["warnings"]] == [("nik_sex_mismatch", "nik")]


def _foreigner(**extra) -> dict:
    values = {
        "nik": "",
        "citizenship": codes.Citizenship.WNA,
        "passport_number": "X1234567",
        "name": "Warga Asing Uji",
        **extra,
    }
    return stay_start(**values)


def test_a_foreign_citizen_has_one_open_or_pending_stay_by_passport_number(actors, kr):
    first = save(actors.ketua_rt_1, Kind.STAY_START, _foreigner()).report
    for actor, passport in ((actors.ketua_rt_1, "X1234567"), (actors.ketua_rt_2, "x 1234567")):
        with pytest.raises(DomainError) as exc:
            save(actor, Kind.STAY_START, _foreigner(passport_number=passport))
        assert (exc.value.code, exc.value.field) == ("stay_already_open", "passport_number")
    services.report_approve(actor=actors.staf_kelurahan, report=first)
    assert NonPermanentStay.objects.get(opened_by=first).passport_number == "X1234567"
    with pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_2, Kind.STAY_START, _foreigner())
    assert exc.value.code == "stay_already_open"
