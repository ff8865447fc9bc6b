"""A death report end to end: the Ketua RT's phone (API token), the kelurahan's admin.

The Ketua RT reports a death through GraphQL; a kelurahan staff member logs
into the admin, finds it in the queue and rejects it with a reason; the RT
sees the reason and reports again; staff approve; the resident is deceased
and the compliance page shows the RT's day as approved.
"""

from __future__ import annotations

import uuid

import pytest

from backend.population import codes
from backend.population.models import Resident
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN_CREATE = """
mutation($u: String!, $p: String!) {
  tokenCreate(username: $u, password: $p, deviceName: "hp-ketua-rt") { token errors { code } }
}
"""
DEATH_SAVE = """
mutation($input: DeathReportInput!) {
  reportDeathSave(input: $input) { report { id state } errors { code field message } }
}
"""
REPORT = """
query($id: ID!) { report(id: $id) { state decisionReason } }
"""
RESIDENT = """
query($id: ID!) { resident(id: $id) { status statusDate } }
"""


class Phone:
    """The Ketua RT's phone app: GraphQL over HTTP with a device token."""

    def __init__(self, playwright, base_url: str, user) -> None:
        self.api = playwright.request.new_context(base_url=base_url)
        response = self.api.post(
            "/graphql/",
            data={"query": TOKEN_CREATE, "variables": {"u": user.username, "p": PASSWORD}},
            headers={"Content-Type": "application/json"},
        )
        assert response.ok, response.status
        self.token = response.json()["data"]["tokenCreate"]["token"]

    def post(self, query: str, variables: dict) -> dict:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        response = self.api.post(
            "/graphql/", data={"query": query, "variables": variables}, headers=headers
        )
        assert response.ok, response.status
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def report_death(self, resident: Resident, death_date: str) -> str:
        data = self.post(
            DEATH_SAVE,
            {
                "input": {
                    "clientKey": f"hp-{uuid.uuid4()}",
                    "residentId": str(resident.pk),
                    "deathDate": death_date,
                    "place": "HOSPITAL",
                    "cause": "ILLNESS_OR_AGE",
                    "certifier": "DOCTOR",
                    "informantName": "Anak almarhum",
                    "informantRelationship": "CHILD",
                }
            },
        )["reportDeathSave"]
        assert data["errors"] == [], data
        assert data["report"]["state"] == "SUBMITTED"
        return data["report"]["id"]


def _today_cell(page, rt_label: str):
    return page.locator(f'#heatmap tr[data-row="{rt_label}"] td.cell').last


def test_death_report_rejected_resubmitted_and_approved(
    live_server, playwright, browser, actors, population, artifacts
):
    from backend.population.age import today_wita

    head = population.rt1.residents.get(relationship=codes.Relationship.HEAD)
    rt_code = head.rt.code
    today = today_wita()
    phone = Phone(playwright, live_server.url, actors.ketua_rt_1)

    # 1. The Ketua RT reports the death, with a wrong date.
    first_id = phone.report_death(head, death_date=today.replace(day=1).isoformat())

    # 2. Kelurahan staff log in and find it in the queue.
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", actors.staf_kelurahan.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/reports/reportqueue/")
    row = page.locator("#result_list tbody tr", has_text=f"#{first_id}")
    assert row.count() == 1
    assert "RT 001" in row.inner_text().replace("\xa0", " ")  # the RT stays on one line
    page.screenshot(path=str(artifacts / "reports-queue.png"), full_page=True)

    # 3. Open it and reject it with a reason.
    row.get_by_role("link", name=f"#{first_id}").click()
    page.wait_for_selector("#report-detail")
    assert head.name in page.content()
    page.locator(f'a[href$="/report/{first_id}/reject/"]').first.click()
    page.fill("textarea[name=reason]", "Tanggal meninggal salah, mohon dikirim ulang.")
    page.click("#decision-form button[type=submit]")
    page.wait_for_url("**/reportqueue/")
    assert page.locator("#result_list tbody tr", has_text=f"#{first_id}").count() == 0

    # The compliance page: a rejected report does not count; RT 001 has not reported.
    page.goto(f"{live_server.url}/admin/reports/rtcompliance/")
    assert _today_cell(page, "RT 001").get_attribute("data-status") == "rejected"
    assert page.locator(f'#not-reported tr[data-rt="{rt_code}"]').count() == 1

    # 4. The Ketua RT sees why, and reports again with the right date.
    seen = phone.post(REPORT, {"id": first_id})["report"]
    assert seen == {
        "state": "REJECTED",
        "decisionReason": "Tanggal meninggal salah, mohon dikirim ulang.",
    }
    second_id = phone.report_death(head, death_date=today.isoformat())
    assert phone.post(RESIDENT, {"id": str(head.pk)})["resident"]["status"] == "ALIVE"

    # 5. Staff approve it from the queue.
    page.goto(f"{live_server.url}/admin/reports/reportqueue/")
    page.locator("#result_list tbody tr", has_text=f"#{second_id}").get_by_role(
        "link", name=f"#{second_id}"
    ).click()
    page.locator(f'a[href$="/report/{second_id}/approve/"]').first.click()
    page.click("#decision-form button[type=submit]")
    page.wait_for_url("**/reportqueue/")

    # 6. The resident is deceased, for the RT's phone too.
    resident = phone.post(RESIDENT, {"id": str(head.pk)})["resident"]
    assert resident == {"status": "DECEASED", "statusDate": today.isoformat()}
    assert Resident.objects.get(pk=head.pk).status == codes.LifeStatus.DECEASED

    # 7. The compliance page now counts RT 001 as reported today (approved).
    page.goto(f"{live_server.url}/admin/reports/rtcompliance/")
    assert _today_cell(page, "RT 001").get_attribute("data-status") == "approved"
    assert page.locator(f'#not-reported tr[data-rt="{rt_code}"]').count() == 0
    assert page.locator("#figure-current").inner_text().startswith("1 / ")
    page.screenshot(path=str(artifacts / "reports-compliance.png"), full_page=True)
    page.close()
    phone.api.dispose()


def test_phone_login_needs_no_csrf_cookie(live_server, playwright, actors):
    """A phone has no session and no CSRF cookie: tokenCreate must still answer."""
    api = playwright.request.new_context(base_url=live_server.url)
    response = api.post(
        "/graphql/",
        data={"query": TOKEN_CREATE, "variables": {"u": "rt001", "p": PASSWORD}},
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 200
    assert response.json()["data"]["tokenCreate"]["token"]
    api.dispose()
