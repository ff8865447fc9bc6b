"""The phone app's door: save each kind, drafts, retries, typed errors, uploads, calendar."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backend.accounts.services import token_issue
from backend.population import codes
from backend.population.models import Resident
from backend.reports import services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.reports.conftest import ACTIVITY, jpeg_bytes, key, make_report, save, today

REPORT_FIELDS = """
  report { id kind state reportDate availableActions rt { code }
           activity { title participants category }
           death { deathDate resident { id status } }
           photos { id width height url } }
  created replayed errors { code field message } warnings { code field message }
"""
ACTIVITY_SAVE = f"""
mutation($input: ActivityReportInput!) {{ reportActivitySave(input: $input) {{ {REPORT_FIELDS} }} }}
"""
DEATH_SAVE = f"""
mutation($input: DeathReportInput!) {{ reportDeathSave(input: $input) {{ {REPORT_FIELDS} }} }}
"""
NIHIL_SAVE = f"""
mutation($input: NihilReportInput!) {{ reportNihilSave(input: $input) {{ {REPORT_FIELDS} }} }}
"""
APPROVE = """
mutation($id: ID!) { reportApprove(id: $id) { report { id state } errors { code field message } } }
"""
REJECT = """
mutation($id: ID!, $reason: String!) {
  reportReject(id: $id, reason: $reason) { report { state decisionReason } errors { code } }
}
"""
WITHDRAW = """
mutation($id: ID!) { reportWithdraw(id: $id) { report { state } errors { code } } }
"""
REPORTS = """
query($filters: ReportFilter) {
  reports(filters: $filters) { totalCount results { id kind state rt { code } } }
}
"""
QUEUE = """query { reportQueue { totalCount results { id } } }"""
CALENDAR = """
query {
  reportingCalendar { rt { code } streak daysSinceLastReport
    days { date reported approved pending kinds } }
}
"""
COMPLIANCE = """
query($code: String) {
  compliance(regionCode: $code) {
    cadence total { rts rtsReportedCurrentPeriod reported }
    kelurahan { name rts rate }
    rts(limit: 5, onlyNotReported: true) { rtCode daysSinceLastReport streak }
  }
}
"""

ACTIVITY_INPUT = {
    "category": "POSYANDU",
    "title": "Posyandu balita",
    "place": "Balai RT",
    "participants": 24,
}


def _activity(**extra) -> dict:
    return {"input": {"clientKey": key(), **ACTIVITY_INPUT, **extra}}


@pytest.fixture
def phone(gql, actors):
    """The Ketua RT 001's phone: a device token, no session."""
    _token, raw = token_issue(user=actors.ketua_rt_1, device_name="hp-uji")
    return gql(token=raw)


def test_ketua_rt_submits_an_activity_with_a_token(phone, kr):
    data = phone.execute(ACTIVITY_SAVE, _activity())["data"]["reportActivitySave"]
    assert data["errors"] == [] and data["created"] is True
    report = data["report"]
    assert (report["kind"], report["state"]) == ("ACTIVITY", "SUBMITTED")
    assert report["rt"]["code"] == kr.rt1.code
    assert report["activity"] == {
        "title": "Posyandu balita",
        "participants": 24,
        "category": "POSYANDU",
    }
    assert report["availableActions"] == ["WITHDRAW"]


def test_a_retried_request_returns_the_first_result(phone, kr):
    variables = _activity()
    first = phone.execute(ACTIVITY_SAVE, variables)["data"]["reportActivitySave"]
    second = phone.execute(ACTIVITY_SAVE, variables)["data"]["reportActivitySave"]
    assert second["replayed"] is True and second["created"] is False
    assert second["report"]["id"] == first["report"]["id"]
    assert Report.objects.count() == 1


def test_refusals_come_back_typed_per_field_in_indonesian(phone, kr):
    data = phone.execute(
        ACTIVITY_SAVE, _activity(participants=0, title=" ", reportDate="2999-01-01")
    )["data"]["reportActivitySave"]
    assert data["report"] is None
    # Every problem in one answer: the date's and the fields', so the phone needs one trip.
    errors = {e["field"]: e for e in data["errors"]}
    assert errors["reportDate"] == {
        "code": "date_in_future",
        "field": "reportDate",
        "message": "Tanggal laporan tidak boleh di masa depan.",
    }
    assert errors["participants"]["code"] == "invalid"
    assert errors["participants"]["message"] == "Paling sedikit satu peserta."
    assert errors["title"]["code"] == "required"
    assert errors["title"]["message"] == "Judul kegiatan wajib diisi."


def test_death_report_for_a_resident_of_another_region_is_not_found(phone, population):
    sepinggan = population.sepinggan.residents.first()
    data = phone.execute(
        DEATH_SAVE,
        {
            "input": {
                "clientKey": key(),
                "residentId": str(sepinggan.pk),
                "deathDate": today().isoformat(),
                "place": "HOME",
                "informantName": "Anak",
                "informantRelationship": "CHILD",
            }
        },
    )["data"]["reportDeathSave"]
    assert [(e["code"], e["field"]) for e in data["errors"]] == [("not_found", "residentId")]


def test_staff_approve_a_death_over_graphql_and_the_resident_is_deceased(
    phone, gql, actors, population
):
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    saved = phone.execute(
        DEATH_SAVE,
        {
            "input": {
                "clientKey": key(),
                "residentNik": head.nik,
                "deathDate": today().isoformat(),
                "place": "HOSPITAL",
                "cause": "ILLNESS_OR_AGE",
                "informantName": "Anak",
                "informantRelationship": "CHILD",
            }
        },
    )["data"]["reportDeathSave"]
    assert saved["errors"] == []
    report_id = saved["report"]["id"]
    camat = gql(actors.camat).execute(APPROVE, {"id": report_id})["data"]["reportApprove"]
    assert [e["code"] for e in camat["errors"]] == ["permission_denied"]
    staff = gql(actors.staf_kelurahan).execute(APPROVE, {"id": report_id})["data"]
    assert staff["reportApprove"] == {
        "report": {"id": report_id, "state": "APPROVED"},
        "errors": [],
    }
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.DECEASED
    again = gql(actors.lurah).execute(APPROVE, {"id": report_id})["data"]["reportApprove"]
    assert again["errors"][0]["code"] == "already_decided"
    assert again["errors"][0]["message"] == "Laporan ini sudah diputuskan (disetujui)."


def test_reject_needs_a_reason_and_withdraw_only_while_waiting(phone, gql, actors, kr):
    report_id = phone.execute(ACTIVITY_SAVE, _activity())["data"]["reportActivitySave"]["report"][
        "id"
    ]
    staff = gql(actors.staf_kelurahan)
    assert staff.execute(REJECT, {"id": report_id, "reason": ""})["data"]["reportReject"][
        "errors"
    ] == [{"code": "reason_required"}]
    withdrawn = phone.execute(WITHDRAW, {"id": report_id})["data"]["reportWithdraw"]
    assert withdrawn == {"report": {"state": "DRAFT"}, "errors": []}
    assert phone.execute(WITHDRAW, {"id": report_id})["data"]["reportWithdraw"]["errors"] == [
        {"code": "report_not_submitted"}
    ]


VISIBLE = {
    "ketua_rt_1": {"rt1"},
    "ketua_rt_2": {"rt2"},
    "staf_kelurahan": {"rt1", "rt2"},
    "lurah": {"rt1", "rt2"},
    "staf_kecamatan": {"rt1", "rt2", "jati"},
    "camat": {"rt1", "rt2", "jati"},
    "admin_kota": {"rt1", "rt2", "jati", "sepinggan"},
    "lurah_karang_jati": {"jati"},
    "camat_selatan": {"sepinggan"},
    "no_role": set(),
}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_each_role_lists_only_its_regions_reports_and_queue(gql, actors, regions, kr, role):
    made = {
        "rt1": make_report(kr.rt1, today(), State.SUBMITTED, kind="activity"),
        "rt2": make_report(kr.rt2, today(), State.SUBMITTED, kind="activity"),
        "jati": make_report(regions.rt(regions.karang_jati, 1), today(), State.SUBMITTED),
        "sepinggan": make_report(regions.rt(regions.sepinggan, 1), today(), State.SUBMITTED),
    }
    client = gql(getattr(actors, role))
    data = client.execute(REPORTS)["data"]["reports"]
    expected = {made[name].pk for name in VISIBLE[role]}
    assert {int(r["id"]) for r in data["results"]} == expected
    assert data["totalCount"] == len(expected)
    queue = {int(r["id"]) for r in client.execute(QUEUE)["data"]["reportQueue"]["results"]}
    deciders = {"staf_kelurahan", "lurah", "admin_kota", "lurah_karang_jati"}
    assert queue == (expected if role in deciders else set())


def test_report_filters_by_kind_and_state(gql, actors, kr):
    make_report(kr.rt1, today(), State.SUBMITTED, kind="activity")
    make_report(kr.rt1, today(), State.APPROVED, kind="nihil")
    data = gql(actors.lurah).execute(REPORTS, {"filters": {"kind": "NIHIL", "state": "APPROVED"}})[
        "data"
    ]["reports"]
    assert [r["kind"] for r in data["results"]] == ["NIHIL"]


def test_the_rts_calendar_shows_each_day(phone, actors, kr):
    save(actors.ketua_rt_1, Kind.NIHIL)
    data = phone.execute(CALENDAR)["data"]["reportingCalendar"]
    assert data["rt"]["code"] == kr.rt1.code
    assert len(data["days"]) == 30
    assert data["days"][-1] == {
        "date": today().isoformat(),
        "reported": True,
        "approved": 1,
        "pending": 0,
        "kinds": ["NIHIL"],
    }
    assert data["streak"] == 1 and data["daysSinceLastReport"] == 0


def test_compliance_is_queryable_and_scoped(gql, actors, kr, regions):
    save(actors.ketua_rt_1, Kind.NIHIL)
    data = gql(actors.lurah).execute(COMPLIANCE)["data"]["compliance"]
    assert data["cadence"] == "daily"
    assert data["total"] == {"rts": 87, "rtsReportedCurrentPeriod": 1, "reported": 1}
    assert [k["name"] for k in data["kelurahan"]] == ["Karang Rejo"]
    assert "64.71.04.1003.001" not in {r["rtCode"] for r in data["rts"]}
    other = gql(actors.lurah).execute(COMPLIANCE, {"code": regions.sepinggan.code})
    assert other["data"]["compliance"] is None  # another kecamatan: not found


def test_compliance_costs_a_fixed_number_of_queries(gql, actors, regions, kr):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = gql(actors.admin_kota)
    client.execute("{ me { username } }")
    with CaptureQueriesContext(connection) as small:
        client.execute(COMPLIANCE)
    for number in range(1, 88):
        make_report(regions.rt(regions.karang_rejo, number), today())
    with CaptureQueriesContext(connection) as big:
        result = client.execute(COMPLIANCE)
    assert result["data"]["compliance"]["total"]["reported"] == 87
    # session, user, scope (3) + RTs, kelurahan starts, per-RT figures, streaks (4)
    assert len(small.captured_queries) == len(big.captured_queries) == 7


def _multipart(client: Client, query: str, variables: dict, files: dict, **headers):
    file_map = {str(i): [path] for i, path in enumerate(files)}
    data = {
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps(file_map),
    }
    data.update({str(i): upload for i, upload in enumerate(files.values())})
    return client.post("/graphql/", data=data, **headers)


def test_photos_upload_as_multipart_with_a_token(actors, kr):
    _token, raw = token_issue(user=actors.ketua_rt_1, device_name="hp-foto")
    client = Client(enforce_csrf_checks=True)
    variables = {"input": {"clientKey": key(), **ACTIVITY_INPUT, "photos": [None, None]}}
    response = _multipart(
        client,
        ACTIVITY_SAVE,
        variables,
        {
            "variables.input.photos.0": SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg"),
            "variables.input.photos.1": SimpleUploadedFile(
                "b.png", jpeg_bytes(fmt="PNG", color=(0, 0, 255)), "image/png"
            ),
        },
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    data = response.json()["data"]["reportActivitySave"]
    assert data["errors"] == [] and len(data["report"]["photos"]) == 2
    url = data["report"]["photos"][0]["url"]
    assert url.startswith("http://testserver/reports/photos/")

    photo = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert client.get(url).status_code == 404  # no credentials
    lurah = Client()
    lurah.force_login(actors.lurah)
    assert lurah.get(url).status_code == 200
    other = Client()
    other.force_login(actors.lurah_karang_jati)
    assert other.get(url).status_code == 404


def test_a_session_multipart_upload_without_csrf_token_is_refused(actors, kr):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.ketua_rt_1)
    response = _multipart(
        client,
        ACTIVITY_SAVE,
        {"input": {"clientKey": key(), **ACTIVITY_INPUT, "photos": [None]}},
        {"variables.input.photos.0": SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_a_fake_photo_is_refused_through_the_api(actors, kr):
    _token, raw = token_issue(user=actors.ketua_rt_1, device_name="hp-foto")
    response = _multipart(
        Client(),
        ACTIVITY_SAVE,
        {"input": {"clientKey": key(), **ACTIVITY_INPUT, "photos": [None]}},
        {"variables.input.photos.0": SimpleUploadedFile("x.jpg", b"MZ\x90\x00", "image/jpeg")},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    errors = response.json()["data"]["reportActivitySave"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("photo_not_an_image", "photos.0")]
    assert errors[0]["message"] == "Berkas ini bukan foto (JPEG, PNG, atau WebP)."


def test_nihil_over_graphql_is_approved_at_once(phone, kr):
    data = phone.execute(NIHIL_SAVE, {"input": {"clientKey": key()}})["data"]["reportNihilSave"]
    assert data["report"]["state"] == "APPROVED"
    again = phone.execute(NIHIL_SAVE, {"input": {"clientKey": key()}})["data"]["reportNihilSave"]
    assert [e["code"] for e in again["errors"]] == ["nihil_already_reported"]


def test_report_list_with_details_costs_the_same_for_few_and_many(gql, actors, kr):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = """query { reports { results { id kind state reporterName rt { code }
        activity { title } death { deathDate resident { name } } photos { id }
        issue { followUp } gotongRoyong { institutions } stayArrival { nik } } } }"""
    client = gql(actors.lurah)
    client.execute("{ me { username } }")
    services.report_save(
        actor=actors.ketua_rt_1, kind=Kind.ACTIVITY, client_key=key(), details=dict(ACTIVITY)
    )
    with CaptureQueriesContext(connection) as few:
        client.execute(query)
    for _ in range(20):
        services.report_save(
            actor=actors.ketua_rt_2, kind=Kind.ACTIVITY, client_key=key(), details=dict(ACTIVITY)
        )
    with CaptureQueriesContext(connection) as many:
        result = client.execute(query)
    assert len(result["data"]["reports"]["results"]) == 21
    assert len(few.captured_queries) == len(many.captured_queries)


STAYS = """
query($filters: StayFilter) {
  nonPermanentStays(filters: $filters) {
    totalCount results { name nik nearLimit overLimit oneYearMark rt { code } }
  }
}
"""


def test_stays_are_listed_apart_scoped_and_flagged(gql, actors, kr):
    from datetime import timedelta

    from backend.reports.models import NonPermanentStay
    from tests.reports.conftest import stay_start

    report = save(actors.ketua_rt_1, Kind.STAY_START, stay_start()).report
    services.report_approve(actor=actors.lurah, report=report)
    NonPermanentStay.objects.update(start_date=today() - timedelta(days=350))
    data = gql(actors.lurah).execute(STAYS, {"filters": {"needsAttention": True}})["data"]
    stays = data["nonPermanentStays"]
    assert stays["totalCount"] == 1
    stay = stays["results"][0]
    assert stay["nik"] == "647105********0003"  # masked
    assert (stay["nearLimit"], stay["overLimit"]) == (True, False)
    other = gql(actors.ketua_rt_2).execute(STAYS)["data"]["nonPermanentStays"]
    assert other["totalCount"] == 0


def test_staff_read_an_rts_calendar_by_code_and_others_get_nothing(gql, actors, kr, regions):
    save(actors.ketua_rt_2, Kind.NIHIL)
    query = """query($code: String) { reportingCalendar(rtCode: $code) { rt { code } streak } }"""
    staff = gql(actors.staf_kelurahan).execute(query, {"code": kr.rt2.code})["data"]
    assert staff["reportingCalendar"] == {"rt": {"code": kr.rt2.code}, "streak": 1}
    assert gql(actors.staf_kelurahan).execute(query)["data"]["reportingCalendar"] is None
    other = gql(actors.lurah_karang_jati).execute(query, {"code": kr.rt2.code})["data"]
    assert other["reportingCalendar"] is None


def test_the_queue_is_oldest_first(gql, actors, kr):
    first = save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY).report
    second = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    data = gql(actors.lurah).execute(QUEUE)["data"]["reportQueue"]["results"]
    assert [int(r["id"]) for r in data] == [first.pk, second.pk]


def test_a_draft_is_saved_and_deleted_over_graphql(phone, kr):
    saved = phone.execute(ACTIVITY_SAVE, _activity(draft=True))["data"]["reportActivitySave"]
    assert saved["report"]["state"] == "DRAFT"
    assert saved["report"]["availableActions"] == ["SUBMIT"]
    delete = """mutation($id: ID!) { reportDelete(id: $id) { deleted errors { code } } }"""
    result = phone.execute(delete, {"id": saved["report"]["id"]})["data"]["reportDelete"]
    assert result == {"deleted": True, "errors": []}
    assert not Report.objects.exists()


def test_anonymous_callers_get_nothing(gql, kr):
    result = gql().execute(REPORTS)
    assert result["errors"][0]["extensions"]["code"] == "unauthenticated"
