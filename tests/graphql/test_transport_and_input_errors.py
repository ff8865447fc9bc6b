"""What reaches /graphql/ besides a well-formed POST, and GraphQL's own input errors:
each refused with a JSON error, a stable code and a message in the user's language."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from backend.audit.models import Action, AuditEvent

ACTIVITY = (
    "mutation($i: ActivityReportInput!) { reportActivitySave(input: $i) "
    "{ report { id } errors { code field message } } }"
)


def _activity(**extra) -> dict:
    return {
        "clientKey": "uji-transport-0001",
        "category": "MEETING",
        "title": "Rapat warga",
        "place": "Balai RT",
        "participants": 12,
        **extra,
    }


@pytest.mark.parametrize("method", ["put", "delete", "options", "patch"])
def test_methods_other_than_get_and_post_get_a_json_405(actors, method):
    response = getattr(Client(), method)("/graphql/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "method_not_allowed"
    assert "POST" in error["message"] and "Kirim" in error["message"]


def test_a_query_over_get_is_refused_so_a_link_cannot_reveal_a_nik(actors, population):
    """A GET could come from any page the staff member visits, with their cookie."""
    resident = population.rt1.residents.first()
    http = Client()
    http.force_login(actors.lurah)
    query = f'{{ resident(id: "{resident.pk}") {{ nik(reveal: true) }} }}'
    response = http.get("/graphql/", {"query": query})
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "query_over_get"
    assert not AuditEvent.objects.filter(action=Action.NIK_REVEALED).exists()
    # GraphiQL itself still opens with GET.
    assert http.get("/graphql/", HTTP_ACCEPT="text/html").status_code == 200


def test_hundreds_of_copies_of_one_field_are_refused_before_validation(gql, actors):
    query = "{ " + " ".join(["me { roles { role } }"] * 420) + " }"
    result = gql(actors.lurah).execute(query)
    error = result["errors"][0]
    assert error["extensions"]["code"] == "selection_too_wide"
    assert "420" in error["message"] and "paling banyak 100" in error["message"]


def test_a_number_out_of_range_names_its_field_in_indonesian(gql, actors, population):
    result = gql(actors.ketua_rt_1).execute(ACTIVITY, {"i": _activity(participants=10**12)})
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "invalid_value", "field": "participants"}
    assert error["message"] == "'participants' tidak valid: angka di luar batas atau bukan angka."


def test_missing_required_inputs_are_named_without_echoing_the_input(gql, actors, population):
    result = gql(actors.ketua_rt_1).execute(
        ACTIVITY, {"i": {"clientKey": "uji-transport-0002", "participants": 3}}
    )
    fields = {e["extensions"]["field"] for e in result["errors"]}
    assert fields == {"category", "title", "place"}
    for error in result["errors"]:
        assert error["extensions"]["code"] == "required"
        assert error["message"].endswith("wajib diisi.")
        assert "uji-transport" not in error["message"]


@pytest.mark.parametrize(
    ("extra", "field", "reason"),
    [
        ({"category": "BUKAN_KATEGORI"}, "category", "bukan salah satu pilihan"),
        ({"reportDate": "2026-02-30"}, "reportDate", "bukan tanggal"),
        ({"startTime": "24:00:00"}, "startTime", "bukan jam"),
    ],
)
def test_values_graphql_cannot_read_are_explained_per_field(
    gql, actors, population, extra, field, reason
):
    result = gql(actors.ketua_rt_1).execute(ACTIVITY, {"i": _activity(**extra)})
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "invalid_value", "field": field}
    assert reason in error["message"]


def test_a_time_with_a_zone_is_a_field_error_not_a_server_error(gql, actors, population):
    result = gql(actors.ketua_rt_1).execute(ACTIVITY, {"i": _activity(startTime="08:00:00+05:00")})
    payload = result["data"]["reportActivitySave"]
    assert payload["report"] is None
    (error,) = payload["errors"]
    assert error["code"] == "invalid"
    assert "WITA" in error["message"]


def test_a_lone_surrogate_is_refused_as_invalid_text(actors):
    body = json.dumps({"query": "{ me { username } }", "variables": {"t": "\ud800abc"}})
    response = Client().post("/graphql/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "invalid_text"


def test_an_overlong_search_text_is_refused_naming_the_filter(gql, actors, population):
    result = gql(actors.lurah).execute(
        "query($t: String!) { residents(filters: {nameContains: $t}) { totalCount } }",
        {"t": "a" * 50_001},
    )
    (error,) = result["errors"]
    assert error["extensions"]["field"] == "nameContains"
    assert "terlalu panjang" in error["message"]


def test_an_absurd_photo_id_to_remove_is_not_a_server_error(gql, actors, population):
    result = gql(actors.ketua_rt_1).execute(ACTIVITY, {"i": _activity(removePhotoIds=["9" * 25])})
    assert "errors" not in result
    assert result["data"]["reportActivitySave"]["report"]["id"]


def test_kk_numbers_cannot_be_probed_by_roles_that_see_them_masked(gql, actors, population):
    no_kk = population.rt1.no_kk
    query = (
        "query($k: String!) { household(noKk: $k) { id } "
        "households(filters: {noKk: $k}) { totalCount } }"
    )
    for user in (actors.ketua_rt_1, actors.camat):
        data = gql(user).execute(query, {"k": no_kk})["data"]
        assert data == {"household": None, "households": {"totalCount": 0}}
    data = gql(actors.lurah).execute(query, {"k": no_kk})["data"]
    assert data["household"]["id"] and data["households"]["totalCount"] == 1


def test_a_photo_upload_without_a_login_is_refused_before_its_files_are_read(db):
    response = Client().post(
        "/graphql/",
        {"operations": json.dumps({"query": "{ me { username } }"}), "map": "{}"},
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated_upload"


def test_a_request_above_the_size_limit_gets_a_json_413(actors, settings):
    settings.LAPOR_RT = {**settings.LAPOR_RT, "GRAPHQL_MAX_REQUEST_MB": 1}
    body = json.dumps({"query": "{ me { username } }", "variables": {"x": "a" * 1_100_000}})
    http = Client()
    http.force_login(actors.lurah)
    response = http.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "request_too_large"


def test_a_body_past_djangos_upload_limit_gets_a_json_413_not_an_html_page(actors, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"query": "{ me { username } }", "variables": {"x": "a" * 2000}})
    http = Client()
    http.force_login(actors.lurah)
    response = http.post("/graphql/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")


def test_revoking_someone_elses_token_answers_like_a_token_that_does_not_exist(gql, actors):
    from backend.accounts.services import token_issue

    other, _raw = token_issue(user=actors.ketua_rt_2, device_name="HP")
    mutation = "mutation($id: ID!) { tokenRevoke(id: $id) { revoked errors { code field } } }"
    client = gql(actors.ketua_rt_1)
    theirs = client.execute(mutation, {"id": str(other.pk)})["data"]["tokenRevoke"]
    missing = client.execute(mutation, {"id": "987654"})["data"]["tokenRevoke"]
    assert theirs == missing == {"revoked": False, "errors": [{"code": "not_found", "field": "id"}]}
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_session_request_without_its_csrf_token_gets_a_json_403(actors):
    http = Client(enforce_csrf_checks=True)
    http.force_login(actors.lurah)
    response = http.post(
        "/graphql/", json.dumps({"query": "{ me { username } }"}), content_type="application/json"
    )
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "csrf_failed"
    assert "X-CSRFToken" in error["message"] and "token API" in error["message"]


def test_service_errors_name_fields_as_the_graphql_inputs_spell_them():
    from backend.common.errors import DomainError
    from graphql_schema.errors import errors_from

    (error,) = errors_from(DomainError("required", "Wajib.", field="device_name"))
    assert error.field == "deviceName"
    (indexed,) = errors_from(DomainError("invalid", "Salah.", field="photos.0"))
    assert indexed.field == "photos.0"
