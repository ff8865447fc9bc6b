"""People are shown by their full name (username when they have none), the Ketua RT
of an RT by their active role assignment; the queue searches by RT, reporter and
kind; the dashboard's silent RTs link to their reports."""

from __future__ import annotations

from backend.accounts.models import RoleAssignment, User
from backend.accounts.roles import Role
from backend.reports import selectors, services
from backend.reports.choices import Kind
from tests.conftest import assign
from tests.reports.conftest import ACTIVITY, GOTONG_ROYONG, make_report, save, today
from tests.reports.test_admin import COMPLIANCE, QUEUE, _panel, change_url, client_for


def _named(user, first, last):
    User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    user.refresh_from_db()


def test_ketua_rt_name_comes_from_the_active_role_assignment(actors, kr):
    _named(actors.ketua_rt_1, "Budi", "Santoso")
    former = User.objects.create_user(
        username="mantan.rt002", first_name="Mantan", last_name="Ketua"
    )
    RoleAssignment.objects.filter(user=actors.ketua_rt_2).update(is_active=False)
    assign(former, Role.KETUA_RT, kr.rt2)
    RoleAssignment.objects.filter(user=former).update(is_active=False)
    newcomer = User.objects.create_user(username="baru.rt002")  # no full name
    assign(newcomer, Role.KETUA_RT, kr.rt2)
    assert selectors.ketua_rt_names([kr.rt1.pk, kr.rt2.pk]) == {
        kr.rt1.pk: "Budi Santoso",
        kr.rt2.pk: "baru.rt002",
    }


def test_compliance_page_names_the_ketua_rt_of_each_silent_rt_and_links_its_reports(actors, kr):
    _named(actors.ketua_rt_1, "Budi", "Santoso")
    html = client_for(actors.lurah).get(COMPLIANCE).content.decode()
    row = html[html.index(f'data-rt="{kr.rt1.code}"') :][:600]
    assert "Budi Santoso" in row
    assert f"/admin/reports/report/?rt={kr.rt1.pk}" in row


def test_report_detail_shows_reporter_and_decider_by_full_name(actors, kr):
    _named(actors.ketua_rt_1, "Budi", "Santoso")
    _named(actors.staf_kelurahan, "Sari", "Wulandari")
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    services.report_approve(actor=actors.staf_kelurahan, report=report)
    html = client_for(actors.lurah).get(change_url(report)).content.decode()
    assert "Budi Santoso" in html and "Sari Wulandari" in html
    assert ">rt001<" not in html


def test_queue_searches_by_rt_number_reporter_and_kind(actors, kr):
    _named(actors.ketua_rt_2, "Siti", "Aminah")
    one = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    two = save(actors.ketua_rt_2, Kind.GOTONG_ROYONG, dict(GOTONG_ROYONG)).report
    client = client_for(actors.lurah)

    def found(term):
        return {r.pk for r in client.get(QUEUE, {"q": term}).context["cl"].result_list}

    assert found("RT 2") == {two.pk} and found("rt002") == {two.pk}
    assert found("siti") == {two.pk} and found("rt001") == {one.pk}  # name or username
    assert found("gotong") == {two.pk} and found("kegiatan warga") == {one.pk}


def test_dashboard_silent_rts_link_to_their_reports_and_name_the_ketua(actors, kr):
    _named(actors.ketua_rt_2, "Siti", "Aminah")
    make_report(kr.rt1, today())
    panel = _panel(client_for(actors.lurah).get("/admin/"), "reports")
    entry = next(e for e in panel["reports_silent"] if e["label"].startswith("RT 002"))
    assert entry["url"] == f"/admin/reports/report/?rt={kr.rt2.pk}"
    assert entry["ketua"] == "Siti Aminah"
