"""Session and token authentication, login throttling, NIK masking and audited reveals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts.models import ApiToken
from backend.audit.models import Action, AuditEvent
from backend.common.masking import mask_nik
from tests.conftest import PASSWORD

TOKEN_CREATE = """
mutation($u: String!, $p: String!, $d: String!) {
  tokenCreate(username: $u, password: $p, deviceName: $d) {
    token expiresAt errors { code field message }
  }
}
"""
ME = "{ me { username roles { role regionCode } } }"
NIKS = "query($reveal: Boolean!) { residents { results { id nik(reveal: $reveal) } } }"


def _login(gql, username, password=PASSWORD, device="HP Ketua RT"):
    return gql().execute(TOKEN_CREATE, {"u": username, "p": password, "d": device})["data"][
        "tokenCreate"
    ]


def test_phone_app_logs_in_for_a_token_and_uses_it(gql, actors, population):
    payload = _login(gql, "rt001")
    assert payload["errors"] == []
    token = payload["token"]
    assert token.startswith("lrt_")
    stored = ApiToken.objects.get(user=actors.ketua_rt_1)
    assert stored.key_hash != token and token not in stored.key_hash  # only a hash is kept
    me = gql(token=token).execute(ME)["data"]["me"]
    assert me == {
        "username": "rt001",
        "roles": [{"role": "KETUA_RT", "regionCode": "64.71.04.1003.001"}],
    }


def test_token_requests_need_no_csrf_but_session_requests_do(gql, actors, population):
    token = _login(gql, "rt001")["token"]
    strict = Client(enforce_csrf_checks=True)
    ok = strict.post(
        "/graphql/",
        {"query": ME},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert ok.status_code == 200
    strict.force_login(actors.ketua_rt_1)
    refused = strict.post("/graphql/", {"query": ME}, content_type="application/json")
    assert refused.status_code == 403


def test_wrong_password_gives_a_typed_indonesian_error(gql, actors):
    payload = _login(gql, "rt001", password="salah")
    assert payload["token"] is None
    assert payload["errors"] == [
        {
            "code": "invalid_credentials",
            "field": "password",
            "message": "Nama pengguna atau kata sandi salah.",
        }
    ]


def test_repeated_wrong_passwords_lock_the_login(gql, actors):
    for _ in range(5):
        _login(gql, "rt001", password="salah")
    payload = _login(gql, "rt001")  # even the right password is refused now
    assert payload["token"] is None
    assert payload["errors"][0]["code"] == "locked_out"


@pytest.mark.parametrize("state", ["revoked", "expired", "inactive_user", "garbage"])
def test_unusable_token_is_refused(gql, actors, population, state):
    token = _login(gql, "rt001")["token"]
    stored = ApiToken.objects.get(user=actors.ketua_rt_1)
    if state == "revoked":
        gql(token=token).execute("mutation { tokenRevoke { revoked } }")
    elif state == "expired":
        stored.expires_at = timezone.now() - timedelta(seconds=1)
        stored.save()
    elif state == "inactive_user":
        actors.ketua_rt_1.is_active = False
        actors.ketua_rt_1.save()
    else:
        token = token[:-4] + "abcd"
    result = gql(token=token).execute(ME)
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "unauthenticated"


def test_a_new_login_on_the_same_device_replaces_its_token(gql, actors):
    first = _login(gql, "rt001")["token"]
    second = _login(gql, "rt001")["token"]
    assert gql(token=first).execute(ME)["data"] is None
    assert gql(token=second).execute(ME)["data"]["me"]["username"] == "rt001"
    assert ApiToken.objects.filter(user=actors.ketua_rt_1, revoked_at__isnull=True).count() == 1


def test_nik_is_masked_by_default_for_every_role(gql, actors, population):
    for user in actors.all_roles().values():
        results = gql(user).execute(NIKS, {"reveal": False})["data"]["residents"]["results"]
        assert results
        assert all("********" in r["nik"] for r in results)


def test_reveal_shows_the_nik_only_where_the_role_may_and_is_audited(gql, actors, population):
    resident = population.rt1.residents.order_by("pk").first()
    # A Ketua RT may not see full NIKs: reveal changes nothing and records nothing.
    rt_results = gql(actors.ketua_rt_1).execute(NIKS, {"reveal": True})["data"]["residents"]
    assert {r["nik"] for r in rt_results["results"]} == {
        mask_nik(r.nik) for r in population.rt1.residents.all()
    }
    assert not AuditEvent.objects.filter(action=Action.NIK_REVEALED).exists()
    # The Lurah may: full NIKs, one audit event per revealed resident, written in one batch.
    results = gql(actors.lurah).execute(NIKS, {"reveal": True})["data"]["residents"]["results"]
    by_id = {int(r["id"]): r["nik"] for r in results}
    assert by_id[resident.pk] == resident.nik
    events = AuditEvent.objects.filter(action=Action.NIK_REVEALED, actor=actors.lurah)
    assert events.count() == len(results) == 6
    assert {int(e.entity_id) for e in events} == set(by_id)
    assert all(e.door == "graphql" for e in events)


def test_graphiql_page_sets_the_csrf_cookie_for_session_queries(client):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies


def test_phone_login_without_any_cookie_passes_csrf_but_a_session_post_does_not(actors):
    """tokenCreate from a phone carries no cookie, so there is nothing for CSRF to protect."""
    strict = Client(enforce_csrf_checks=True)
    query = (
        'mutation { tokenCreate(username: "rt001", password: "%s", deviceName: "hp") { token } }'
    )
    ok = strict.post("/graphql/", {"query": query % PASSWORD}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["data"]["tokenCreate"]["token"].startswith("lrt_")
    strict.force_login(actors.ketua_rt_1)
    refused = strict.post("/graphql/", {"query": ME}, content_type="application/json")
    assert refused.status_code == 403


BIRTH = "{ residents { results { id birthDate birthYear age } } }"
BY_NIK = "query($nik: String!) { residents(filters: {nik: $nik}) { totalCount } }"


@pytest.mark.parametrize(
    ("role", "sees_dates"),
    [("lurah", True), ("camat", False), ("ketua_rt_1", False), ("admin_kota", True)],
)
def test_birth_dates_are_shown_only_to_roles_that_may_see_niks(
    gql, actors, population, role, sees_dates
):
    """A masked NIK hides the birth date, so the birth date is hidden from the same roles."""
    results = gql(getattr(actors, role)).execute(BIRTH)["data"]["residents"]["results"]
    assert results
    assert all((r["birthDate"] is not None) is sees_dates for r in results)
    assert all(isinstance(r["birthYear"], int) and r["age"] >= 0 for r in results)


def test_the_nik_filter_cannot_be_used_to_guess_masked_digits(gql, actors, population):
    nik = population.rt1.residents.first().nik
    assert gql(actors.lurah).execute(BY_NIK, {"nik": nik})["data"]["residents"]["totalCount"] == 1
    assert gql(actors.camat).execute(BY_NIK, {"nik": nik})["data"]["residents"]["totalCount"] == 0
    rt = gql(actors.ketua_rt_1).execute(BY_NIK, {"nik": nik})
    assert rt["data"]["residents"]["totalCount"] == 0
