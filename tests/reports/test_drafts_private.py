"""A draft is saved "without sending it to the kelurahan": only its reporter reads it.

Kelurahan and kecamatan staff see no other user's draft anywhere: GraphQL
lists, lookups, counts and calendars, admin lists and pages, photos,
decisions. Superusers see every report (operations).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from backend.accounts.models import User
from backend.common.errors import DomainError
from backend.reports import compliance, selectors, services
from backend.reports.choices import Kind
from tests.reports.conftest import ACTIVITY, jpeg_bytes, save, today

STAFF = ["staf_kelurahan", "lurah", "staf_kecamatan", "camat", "admin_kota"]


@pytest.fixture
def draft(actors, kr):
    return save(
        actors.ketua_rt_1,
        Kind.ACTIVITY,
        ACTIVITY,
        submit=False,
        photo_uploads=[SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")],
    ).report


@pytest.mark.parametrize("role", [*STAFF, "ketua_rt_2"])
def test_nobody_but_the_reporter_reads_a_draft_over_graphql(gql, actors, kr, draft, role):
    query = """query($id: ID!) { report(id: $id) { state }
        reports { totalCount results { id } } }"""
    data = gql(getattr(actors, role)).execute(query, {"id": draft.pk})["data"]
    assert data == {"report": None, "reports": {"totalCount": 0, "results": []}}
    own = gql(actors.ketua_rt_1).execute(query, {"id": draft.pk})["data"]
    assert own["report"] == {"state": "DRAFT"} and own["reports"]["totalCount"] == 1


def test_a_superuser_reads_drafts_for_operations(actors, kr, draft):
    root = User.objects.create_superuser("operator.uji", password="x-uji-12345")
    assert list(selectors.report_list(actor=root)) == [draft]


@pytest.mark.parametrize("role", STAFF)
def test_admin_lists_and_pages_skip_other_peoples_drafts(actors, kr, draft, role):
    client = Client()
    client.force_login(getattr(actors, role))
    listing = client.get(reverse("admin:reports_report_changelist"))
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == []
    page = client.get(reverse("admin:reports_report_change", args=[draft.pk]))
    assert page.status_code == 302  # Django's "does not exist" redirect to the list
    photo = draft.photos.get()
    assert client.get(reverse("reports:photo", args=[photo.pk])).status_code == 404


def test_staff_cannot_act_on_a_draft_they_cannot_see(actors, kr, draft):
    for service in (services.report_approve, services.report_submit, services.report_delete):
        with pytest.raises(DomainError) as refused:
            service(actor=actors.lurah, report=draft)
        assert refused.value.code == "not_found"


def test_a_staff_calendar_counts_no_one_elses_drafts(actors, kr, draft):
    staff_days = compliance.rt_calendar(actor=actors.lurah, rt=kr.rt1, start=today(), end=today())
    own_days = compliance.rt_calendar(
        actor=actors.ketua_rt_1, rt=kr.rt1, start=today(), end=today()
    )
    assert staff_days[0].drafts == 0 and own_days[0].drafts == 1


def test_withdrawn_reports_become_private_drafts_again(gql, actors, kr):
    report = save(actors.ketua_rt_1, Kind.ACTIVITY, ACTIVITY).report
    assert selectors.report_list(actor=actors.lurah).filter(pk=report.pk).exists()
    services.report_withdraw(actor=actors.ketua_rt_1, report=report)
    assert not selectors.report_list(actor=actors.lurah).filter(pk=report.pk).exists()
