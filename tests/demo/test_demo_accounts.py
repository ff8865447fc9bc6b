"""Demo accounts: one per role, each limited to its own region."""

import pytest

from backend.accounts.models import User
from backend.accounts.roles import Cap
from backend.population import demo
from backend.population.models import Resident
from backend.population.selectors import resident_list
from backend.wilayah.models import RT

KARANG_REJO = "64.71.04.1003"
KARANG_JATI = "64.71.04.1004"


def _codes(user) -> set[str]:
    return set(resident_list(actor=user).values_list("rt__kelurahan__code", flat=True))


def test_every_demo_account_logs_into_the_admin_with_the_demo_password(demo_data):
    users = User.objects.filter(username__in=[a.username for a in demo.DEMO_ACCOUNTS])

    assert users.count() == len(demo.DEMO_ACCOUNTS)
    for user in users:
        assert user.is_staff and user.is_active
        assert user.check_password(demo.DEMO_PASSWORD)


def test_the_two_ketua_rt_see_only_their_own_rt(demo_data):
    rt1 = RT.objects.get(kelurahan__code=KARANG_REJO, number=1)
    rt2 = RT.objects.get(kelurahan__code=KARANG_REJO, number=2)
    ketua1 = User.objects.get(username="ketua.rt001")
    ketua2 = User.objects.get(username="ketua.rt002")

    seen1 = resident_list(actor=ketua1)
    seen2 = resident_list(actor=ketua2)

    assert seen1.count() == Resident.objects.filter(rt=rt1).count() > 0
    assert seen2.count() == Resident.objects.filter(rt=rt2).count() > 0
    assert not set(seen1.values_list("pk", flat=True)) & set(seen2.values_list("pk", flat=True))
    assert not ketua1.scope.can(Cap.POPULATION_CHANGE, rt1)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("staf.karangrejo", {KARANG_REJO}),
        ("lurah.karangrejo", {KARANG_REJO}),
        ("lurah.karangjati", {KARANG_JATI}),
        ("staf.tengah", "all"),
        ("camat.tengah", "all"),
        ("admin.kota", "all"),
        ("operator", "all"),
    ],
)
def test_each_office_sees_exactly_its_region(demo_data, username, expected):
    everything = set(Resident.objects.values_list("rt__kelurahan__code", flat=True))
    user = User.objects.get(username=username)

    assert _codes(user) == (everything if expected == "all" else expected)
    assert (
        resident_list(actor=user).count()
        == Resident.objects.filter(
            **({} if expected == "all" else {"rt__kelurahan__code__in": expected})
        ).count()
    )


def test_only_the_operator_is_a_superuser(demo_data):
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == [
        "operator"
    ]
    assert not User.objects.get(username="operator").role_assignments.exists()
