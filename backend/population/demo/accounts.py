"""Demo accounts: one per role, plus a superuser for operations.

All share one demo password (printed by ``manage.py seed_demo`` and written
in the README). Each account logs into the admin (``is_staff``) and holds
exactly the role assignment its name says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from backend.accounts.models import RoleAssignment, User
from backend.accounts.roles import Role
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota

# Not a secret: the demo's documented password, for a laptop demo only.
DEMO_PASSWORD = "demo-lapor-rt"  # noqa: S105

KARANG_REJO = "64.71.04.1003"
KARANG_JATI = "64.71.04.1004"
BALIKPAPAN_TENGAH = "64.71.04"
KOTA_BALIKPAPAN = "64.71"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str | None  # None: superuser
    region_code: str = ""  # kelurahan/kecamatan/kota code, or the kelurahan of the RT
    rt_number: int | None = None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else "Superuser"


# Names are synthetic; the role is in the username so a demo audience can tell.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("ketua.rt001", "Suryadi", "Rahman", Role.KETUA_RT, KARANG_REJO, 1),
    DemoAccount("ketua.rt002", "Hartini", "Wulandari", Role.KETUA_RT, KARANG_REJO, 2),
    DemoAccount("staf.karangrejo", "Rina", "Puspitasari", Role.STAF_KELURAHAN, KARANG_REJO),
    DemoAccount("lurah.karangrejo", "Bambang", "Setiawan", Role.LURAH, KARANG_REJO),
    DemoAccount("staf.tengah", "Andi", "Pratama", Role.STAF_KECAMATAN, BALIKPAPAN_TENGAH),
    DemoAccount("camat.tengah", "Muhammad", "Idris", Role.CAMAT, BALIKPAPAN_TENGAH),
    DemoAccount("admin.kota", "Dewi", "Lestari", Role.ADMIN_KOTA, KOTA_BALIKPAPAN),
    DemoAccount("lurah.karangjati", "Yohanes", "Palimbong", Role.LURAH, KARANG_JATI),
    DemoAccount("operator", "Operator", "Sistem", None),
)
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)


def _region_kwargs(account: DemoAccount) -> dict:
    if account.role == Role.KETUA_RT:
        rt = RT.objects.get(
            kelurahan__code=account.region_code, number=account.rt_number, rw__isnull=True
        )
        return {"rt": rt}
    if account.role in (Role.STAF_KELURAHAN, Role.LURAH):
        return {"kelurahan": Kelurahan.objects.get(code=account.region_code)}
    if account.role in (Role.STAF_KECAMATAN, Role.CAMAT):
        return {"kecamatan": Kecamatan.objects.get(code=account.region_code)}
    return {"kota": Kota.objects.get(code=account.region_code)}


def region_label(account: DemoAccount) -> str:
    """Human label of the account's region, e.g. "RT 001, Kel. Karang Rejo"."""
    if account.role is None:
        return "-"
    kwargs = _region_kwargs(account)
    if "rt" in kwargs:
        rt = kwargs["rt"]
        return f"{rt.label}, {rt.kelurahan}"
    return str(next(iter(kwargs.values())))


def create_demo_accounts(password: str = DEMO_PASSWORD) -> list[User]:
    """Create the demo users and their role assignments (the caller checks they are absent)."""
    # One hash for all: same password, and hashing it nine times would cost seconds.
    hashed = make_password(password)
    users = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.create(
            username=account.username,
            first_name=account.first_name,
            last_name=account.last_name,
            password=hashed,
            is_staff=True,
            is_superuser=account.role is None,
        )
        if account.role is not None:
            RoleAssignment.objects.create(user=user, role=account.role, **_region_kwargs(account))
        users.append(user)
    return users
