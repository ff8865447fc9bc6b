"""The admin door: queue, detail, decisions one by one and in bulk, follow-up, compliance."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.audit.models import Action, AuditEvent
from backend.population import codes
from backend.population.models import Resident
from backend.reports import services
from backend.reports.choices import Kind, State
from backend.reports.models import Report
from tests.reports.conftest import ACTIVITY, ISSUE, death, make_report, save, today

QUEUE = "/admin/reports/reportqueue/"
COMPLIANCE = "/admin/reports/rtcompliance/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(report) -> str:
    return reverse("admin:reports_report_change", args=[report.pk])


def action_url(report, name) -> str:
    return reverse(f"admin:reports_report_{name}", args=[report.pk])


def _state(report) -> str:
    return Report.objects.get(pk=report.pk).state


def test_queue_shows_the_kelurahans_waiting_reports_oldest_first(actors, kr, regions):
    first = save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY).report
    second = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    make_report(kr.rt1, today(), State.APPROVED, kind="activity")
    elsewhere = make_report(regions.rt(regions.karang_jati, 1), today(), State.SUBMITTED)
    response = client_for(actors.staf_kelurahan).get(QUEUE)
    assert response.status_code == 200
    shown = [r.pk for r in response.context["cl"].result_list]
    assert shown == [first.pk, second.pk]
    assert elsewhere.pk not in shown


@pytest.mark.parametrize(("role", "status"), [("ketua_rt_1", 403), ("camat", 403)])
def test_who_cannot_decide_has_no_queue(actors, kr, role, status):
    assert client_for(getattr(actors, role)).get(QUEUE).status_code == status


def test_queue_filters_by_kind_and_rt(actors, kr):
    activity = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    issue = save(actors.ketua_rt_2, Kind.ISSUE, ISSUE).report
    client = client_for(actors.lurah)
    by_kind = client.get(QUEUE, {"kind__exact": "issue"}).context["cl"].result_list
    assert [r.pk for r in by_kind] == [issue.pk]
    by_rt = client.get(QUEUE, {"rt": str(kr.rt1.pk)}).context["cl"].result_list
    assert [r.pk for r in by_rt] == [activity.pk]


def test_detail_shows_details_photos_history_and_the_decision_buttons(actors, kr):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.reports.conftest import jpeg_bytes

    report = save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        ACTIVITY,
        photo_uploads=[SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")],
    ).report
    page = client_for(actors.staf_kelurahan).get(change_url(report))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Posyandu balita" in html
    assert reverse("reports:photo", args=[report.photos.get().pk]) in html
    assert "Diajukan" in html  # history: the submitted event
    for name in ("approve_detail", "reject_detail", "revision_detail"):
        assert action_url(report, name) in html
    camat_html = client_for(actors.camat).get(change_url(report)).content.decode()
    assert "Posyandu balita" in camat_html
    assert action_url(report, "approve_detail") not in camat_html


def test_approve_from_the_detail_page_applies_the_effect(actors, population):
    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    report = save(actors.ketua_rt_1, Kind.DEATH, death(head)).report
    client = client_for(actors.staf_kelurahan)
    confirm = client.get(action_url(report, "approve_detail"))
    assert confirm.status_code == 200 and _state(report) == State.SUBMITTED  # GET changes nothing
    response = client.post(action_url(report, "approve_detail"))
    assert response.status_code == 302
    assert _state(report) == State.APPROVED
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.DECEASED
    event = AuditEvent.objects.get(action=Action.APPROVED, entity_id=str(report.pk))
    assert event.door == "admin" and event.actor == actors.staf_kelurahan


def test_reject_needs_a_reason_in_the_form(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    client = client_for(actors.lurah)
    page = client.post(action_url(report, "reject_detail"), {"reason": ""})
    assert page.status_code == 200 and _state(report) == State.SUBMITTED
    assert "reason" in page.context["form"].errors
    client.post(action_url(report, "reject_detail"), {"reason": "Foto tidak jelas"})
    stored = Report.objects.get(pk=report.pk)
    assert (stored.state, stored.decision_reason) == (State.REJECTED, "Foto tidak jelas")


def test_decision_urls_refuse_those_who_may_not_decide(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    assert client_for(actors.camat).post(action_url(report, "approve_detail")).status_code == 403
    other = client_for(actors.lurah_karang_jati).post(action_url(report, "approve_detail"))
    assert other.status_code == 403
    assert _state(report) == State.SUBMITTED
    assert client_for(actors.lurah_karang_jati).get(change_url(report)).status_code == 302


def test_a_decided_report_has_no_decision_buttons(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    services.report_approve(actor=actors.lurah, report=report)
    html = client_for(actors.staf_kelurahan).get(change_url(report)).content.decode()
    assert action_url(report, "approve_detail") not in html
    # Posting a decision to it anyway changes nothing and says why.
    response = client_for(actors.staf_kelurahan).post(
        action_url(report, "reject_detail"), {"reason": "x"}
    )
    assert response.status_code == 302 and response["Location"] == change_url(report)
    assert _state(report) == State.APPROVED


def test_bulk_approve_goes_report_by_report_and_names_failures(actors, kr):
    a = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    b = save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY).report
    client = client_for(actors.staf_kelurahan)
    # b is decided by someone else between page load and the click.
    services.report_reject(actor=actors.lurah, report=b, reason="Ganda")
    response = client.post(
        "/admin/reports/report/",
        {"action": "approve_selected", "_selected_action": [a.pk, b.pk], "index": 0},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert _state(a) == State.APPROVED and _state(b) == State.REJECTED
    assert any("1 laporan disetujui" in t for t in texts), texts
    assert any(f"#{b.pk}" in t and "sudah diputuskan" in t for t in texts), texts
    assert AuditEvent.objects.get(action=Action.APPROVED).door == "admin_action"


def test_bulk_reject_asks_for_one_reason_then_applies_it(actors, kr):
    a = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    b = save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY).report
    client = client_for(actors.lurah)
    data = {"action": "reject_selected", "_selected_action": [a.pk, b.pk], "index": 0}
    page = client.post(QUEUE, data)
    assert page.status_code == 200 and b"decision-form" in page.content
    assert _state(a) == State.SUBMITTED
    client.post(
        QUEUE,
        {
            "action": "reject_selected",
            "_selected_action": [a.pk, b.pk],
            "apply": "1",
            "reason": "Bukan kegiatan RT",
        },
    )
    assert {_state(a), _state(b)} == {State.REJECTED}


def test_staff_move_an_issues_follow_up(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ISSUE, ISSUE).report
    services.report_approve(actor=actors.lurah, report=report)
    client = client_for(actors.staf_kelurahan)
    client.post(
        action_url(report, "follow_up_detail"), {"status": "in_progress", "note": "Ke DPUPR"}
    )
    detail = Report.objects.get(pk=report.pk).issuedetail
    assert (detail.follow_up, detail.follow_up_note) == ("in_progress", "Ke DPUPR")
    assert (
        client_for(actors.camat)
        .post(action_url(report, "follow_up_detail"), {"status": "done"})
        .status_code
        == 403
    )


def test_nothing_is_added_edited_or_deleted_through_generic_forms(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    client = client_for(actors.lurah)
    assert client.get("/admin/reports/report/add/").status_code == 403
    assert client.get(f"/admin/reports/report/{report.pk}/delete/").status_code == 403
    client.post(change_url(report), {"note": "diubah"})
    assert Report.objects.get(pk=report.pk).note == ""


def test_compliance_page_shows_heatmap_and_who_has_not_reported(actors, kr):
    save(actors.ketua_rt_1, Kind.NIHIL)
    response = client_for(actors.lurah).get(COMPLIANCE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="heatmap"' in html
    result = response.context["result"]
    assert len(result.heat_rows) == 87 and result.heat_rows[0].cells[-1].status == "approved"
    missing = {rt.number for rt in response.context["not_reported"]}
    assert 1 not in missing and 2 in missing and len(missing) == 86
    assert "86 RT belum melapor hari ini" in html


def test_compliance_page_for_a_kecamatan_shows_kelurahan_rows(actors, kr):
    response = client_for(actors.camat).get(COMPLIANCE)
    assert response.context["heat_level"] == "kelurahan"
    assert {row.label for row in response.context["result"].heat_rows} == {
        "Karang Rejo",
        "Karang Jati",
    }
    drill = client_for(actors.camat).get(COMPLIANCE, {"kelurahan": kr.rt1.kelurahan_id})
    assert drill.context["heat_level"] == "rt" and len(drill.context["result"].heat_rows) == 87


def test_compliance_page_for_all_of_balikpapan_costs_a_fixed_number_of_queries(actors, regions):
    """All 1,143 RTs and a year of reports: the same statements as for a city with
    one report."""
    from backend.wilayah.loading import load_regions

    load_regions()  # every kelurahan's RTs
    client = client_for(actors.admin_kota)
    client.get(COMPLIANCE)  # warm-up
    make_report(regions.rt(regions.karang_rejo, 1), today())  # Karang Rejo uses Lapor RT
    with CaptureQueriesContext(connection) as empty:
        client.get(COMPLIANCE, {"days": 365})
    from backend.wilayah.models import RT

    rts = list(RT.objects.order_by("pk")[::7])
    for i, rt in enumerate(rts):
        make_report(rt, today(), kind="activity")
        make_report(rt, today().replace(day=1), kind="activity") if i % 2 else None
    with CaptureQueriesContext(connection) as full:
        response = client.get(COMPLIANCE, {"days": 365})
    assert response.context["result"].total.rts == 1143
    assert len(full.captured_queries) == len(empty.captured_queries)
    # session, user, scope (3); kelurahan list (1); RTs, kelurahan starts, per-RT
    # figures, streaks and heatmap cells (5); waiting and sent back (1); Ketua RT
    # names (1). The admin
    # frame adds Django's permission look-ups for the other apps' menu entries,
    # which are not this page's.
    own = [q["sql"] for q in full.captured_queries if "auth_permission" not in q["sql"]]
    assert len(own) == 11, "\n".join(q[:150] for q in own)


def _panel(response, key: str) -> dict:
    (panel,) = [p for p in response.context["dashboard_panels"] if p.key == key]
    return panel.context


def test_dashboard_panel_shows_the_queue_who_has_not_reported_and_the_rate(actors, kr):
    save(actors.ketua_rt_1, Kind.NIHIL)
    save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY)  # waits for a decision
    sent_back = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    services.report_request_revision(actor=actors.staf_kelurahan, report=sent_back, reason="x")
    response = client_for(actors.lurah).get("/admin/")
    panel = _panel(response, "reports")
    assert panel["reports_total"].rts_reported_current == 2
    assert (panel["reports_not_reported"], panel["reports_waiting"]) == (85, 1)
    assert panel["reports_queue_url"] == QUEUE
    assert len(panel["reports_silent"]) == 5 and panel["reports_silent"][0]["days"] is None
    html = response.content.decode()
    assert 'data-figure="pending">1<' in html and 'data-figure="not_reported">85<' in html
    assert f'href="{QUEUE}"' in html and f'href="{COMPLIANCE}"' in html
    assert "Belum pernah melapor" in html or "belum pernah melapor" in html


def test_dashboard_panel_for_a_camat_links_the_waiting_reports_not_the_queue(
    actors, kr, all_kelurahan_using
):
    save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY)
    panel = _panel(client_for(actors.camat).get("/admin/"), "reports")
    assert panel["reports_waiting"] == 1 and not panel["reports_may_decide"]
    assert panel["reports_queue_url"] == "/admin/reports/report/?state__exact=submitted"
    from backend.wilayah.models import RT

    kecamatan_rts = RT.objects.filter(kelurahan__kecamatan__code="64.71.04", is_active=True)
    assert panel["reports_total"].rts == kecamatan_rts.count()


def test_dashboard_panel_of_a_ketua_rt_counts_their_rt_only(actors, kr):
    save(actors.ketua_rt_2, Kind.ACTIVITY, ACTIVITY)
    panel = _panel(client_for(actors.ketua_rt_1).get("/admin/"), "reports")
    assert (panel["reports_total"].rts, panel["reports_waiting"]) == (1, 0)
    assert panel["reports_not_reported"] == 1


STAYS = "/admin/reports/nonpermanentstay/"
REPORTS = "/admin/reports/report/"


@pytest.mark.parametrize(
    ("url", "query"),
    [
        (STAYS, "nik__regex=^6471"),
        (STAYS, "nik__in=6471051208990003,6471051208990004"),
        (STAYS, "nik__icontains=1208"),
        (STAYS, "nik__gte=6471050000000000"),
        (STAYS, "passport_number__regex=^X"),
        (STAYS, "passport_number__in=X1234567"),
        (STAYS, "passport_number__icontains=123"),
        (STAYS, "birth_date__year=1999"),
        (STAYS, "birth_date__month=8"),
        (STAYS, "birth_date=1999-08-12"),
        (STAYS, "phone__startswith=08"),
        (STAYS, "o=2.-3"),  # ordering by position is fine; by nik is not listed anyway
        (REPORTS, "staystartdetail__nik__startswith=647105"),
        (REPORTS, "staystartdetail__passport_number__regex=^X"),
        (REPORTS, "staystartdetail__birth_date__year=1999"),
        (REPORTS, "deathdetail__informant_nik__startswith=6471"),
        (REPORTS, "deathdetail__resident__nik__startswith=6471"),
        (REPORTS, "opened_stay__nik__startswith=6471"),
        (REPORTS, "content_hash__startswith=ab"),
        (REPORTS, "content_hash=" + "0" * 64),
    ],
)
def test_stay_and_report_admins_refuse_every_url_lookup_on_identity_fields(actors, kr, url, query):
    from tests.reports.conftest import stay_start

    save(actors.ketua_rt_1, Kind.STAY_START, stay_start())
    response = client_for(actors.camat).get(f"{url}?{query}")
    if query.startswith("o="):
        assert response.status_code == 200
    else:
        assert response.status_code == 400, query


def test_opening_the_approval_page_of_a_decided_report_explains_instead_of_refusing(actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    services.report_approve(actor=actors.lurah, report=report)
    client = client_for(actors.staf_kelurahan)
    response = client.get(f"/admin/reports/report/{report.pk}/approve/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "tidak lagi menunggu keputusan ini" in text and "Disetujui" in text
    # Another kelurahan's staff still gets nothing.
    other = client_for(actors.lurah_karang_jati).get(f"/admin/reports/report/{report.pk}/approve/")
    assert other.status_code in (403, 404)
    # And a decided report shows no decision buttons.
    page = client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert f"/admin/reports/report/{report.pk}/approve/" not in page
