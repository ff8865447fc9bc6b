"""Errors name their field: in the message, in Indonesian ("Judul kegiatan wajib
diisi."), and in GraphQL's ``field``, spelt as the mutation's input (camelCase)."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

from backend.common.errors import DomainError
from backend.reports.choices import Kind
from backend.reports.models import DETAIL_MODELS
from graphql_schema.reports import mutations
from tests.reports.conftest import ACTIVITY, GOTONG_ROYONG, ISSUE, key, save
from tests.reports.test_graphql import ACTIVITY_INPUT, ACTIVITY_SAVE, phone  # noqa: F401

INPUTS = {
    Kind.ACTIVITY: mutations.ActivityReportInput,
    Kind.DEATH: mutations.DeathReportInput,
    Kind.STAY_START: mutations.StayStartReportInput,
    Kind.STAY_END: mutations.StayEndReportInput,
    Kind.GOTONG_ROYONG: mutations.GotongRoyongReportInput,
    Kind.ISSUE: mutations.IssueReportInput,
}
# Set by the approval or the follow-up, never sent by the phone.
NOT_INPUT = {"report", "follow_up", "follow_up_note", "follow_up_at", "follow_up_by"}


@pytest.mark.parametrize(
    ("kind", "details", "blank", "message"),
    [
        (Kind.ACTIVITY, ACTIVITY, "title", "Judul kegiatan wajib diisi."),
        (Kind.ACTIVITY, ACTIVITY, "place", "Tempat wajib diisi."),
        (Kind.GOTONG_ROYONG, GOTONG_ROYONG, "title", "Judul kegiatan wajib diisi."),
        (Kind.ISSUE, ISSUE, "location", "Lokasi wajib diisi."),
    ],
)
def test_a_missing_required_field_is_named_in_indonesian(actors, kr, kind, details, blank, message):
    with translation.override("id"), pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, kind, {**details, blank: "  "})
    problems = [(p.code, p.field, p.render()) for p in exc.value.problems]
    assert problems == [("required", blank, message)]


def test_a_too_long_value_names_its_field(actors, kr):
    with translation.override("id"), pytest.raises(DomainError) as exc:
        save(actors.ketua_rt_1, Kind.ACTIVITY, {**ACTIVITY, "title": "x" * 151})
    assert exc.value.problems[0].render().startswith("Judul kegiatan: ")


@pytest.mark.parametrize("kind", sorted(INPUTS))
def test_every_detail_field_maps_to_a_field_of_the_mutation_input(kind):
    """Whatever detail field a refusal names, GraphQL names an input field."""
    input_fields = {mutations.camel(f.name) for f in dataclasses.fields(INPUTS[kind])} | {
        "residentNik"
    }
    for f in DETAIL_MODELS[kind]._meta.concrete_fields:
        if f.name in NOT_INPUT:
            continue
        assert mutations.input_field(f.name) in input_fields, f.name
    for common in ("rt", "report_date", "client_key"):
        assert mutations.input_field(common) in input_fields, common


def test_graphql_names_the_blank_field_in_camel_case_with_an_indonesian_message(phone):  # noqa: F811
    variables = {"input": {"clientKey": key(), **ACTIVITY_INPUT, "title": ""}}
    out = phone.execute(ACTIVITY_SAVE, variables, HTTP_ACCEPT_LANGUAGE="id")
    errors = out["data"]["reportActivitySave"]["errors"]
    assert [(e["code"], e["field"], e["message"]) for e in errors] == [
        ("required", "title", "Judul kegiatan wajib diisi.")
    ]


def test_graphql_names_reference_and_two_word_fields_as_the_input_does(phone, kr):  # noqa: F811
    stay_end = """
    mutation($input: StayEndReportInput!) { reportStayEndSave(input: $input) {
      errors { code field } } }"""
    out = phone.execute(
        stay_end,
        {
            "input": {
                "clientKey": key(),
                "stayId": "999999",
                "endDate": "2020-01-01",
                "reason": "RETURNED",
            }
        },
    )
    fields = {e["field"] for e in out["data"]["reportStayEndSave"]["errors"]}
    assert "stayId" in fields and not any("_" in f for f in fields)
    many = {"input": {"clientKey": key(), **ACTIVITY_INPUT, "participants": 0}}
    errors = phone.execute(ACTIVITY_SAVE, many)["data"]["reportActivitySave"]["errors"]
    assert [e["field"] for e in errors] == ["participants"]
    late = {"input": {"clientKey": key(), **ACTIVITY_INPUT, "reportDate": "2000-01-01"}}
    errors = phone.execute(ACTIVITY_SAVE, late)["data"]["reportActivitySave"]["errors"]
    assert [e["field"] for e in errors] == ["reportDate"]


def test_graphql_names_the_deceased_as_sent_by_id_or_by_nik(phone, kr):  # noqa: F811
    death = """
    mutation($input: DeathReportInput!) { reportDeathSave(input: $input) {
      errors { code field } } }"""
    base = {
        "deathDate": "2026-01-01",
        "place": "HOME",
        "informantName": "Uji",
        "informantRelationship": "CHILD",
    }
    by_nik = phone.execute(
        death, {"input": {"clientKey": key(), "residentNik": "6471040101900099", **base}}
    )["data"]["reportDeathSave"]["errors"]
    by_id = phone.execute(death, {"input": {"clientKey": key(), "residentId": "999999", **base}})[
        "data"
    ]["reportDeathSave"]["errors"]
    assert "residentNik" in {e["field"] for e in by_nik}
    assert "residentId" in {e["field"] for e in by_id}
