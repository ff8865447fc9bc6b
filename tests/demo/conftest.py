import pytest
from django.db import connection, transaction

from backend.accounts.models import User
from backend.audit.db import triggers_disabled
from backend.population import demo
from backend.population.demo import tables
from backend.wilayah.loading import load_regions
from backend.wilayah.models import RT, Kecamatan, Kelurahan, Kota, Provinsi

SMALL = 0.02  # about 110 households: the rules show, the tests stay fast
SEED = demo.DEFAULT_SEED
TENGAH_KELURAHAN = {tables.KARANG_REJO, *tables.OTHER_KELURAHAN}


@pytest.fixture
def tengah(db):
    """The region tree with the RTs of Balikpapan Tengah's six kelurahan."""
    load_regions(only_kelurahan=TENGAH_KELURAHAN)


@pytest.fixture
def seeded(tengah) -> demo.SeedResult:
    """A fresh small demo for tests that change it."""
    return demo.seed_demo(scale=SMALL, seed=SEED)


@pytest.fixture(scope="module")
def shared_demo(django_db_setup, django_db_blocker):
    """One small demo for a whole module of read-only tests, removed afterwards."""
    with django_db_blocker.unblock():
        load_regions(only_kelurahan=TENGAH_KELURAHAN)
        result = demo.seed_demo(scale=SMALL, seed=SEED)
    yield result
    with django_db_blocker.unblock():
        demo.reset_demo()
        # The audit trail is append-only; a test's throwaway trail is removed
        # with the guard lifted on purpose.
        with transaction.atomic(), triggers_disabled(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
        User.objects.all().delete()
        for model in (RT, Kelurahan, Kecamatan, Kota, Provinsi):
            model.objects.all().delete()


@pytest.fixture
def demo_data(shared_demo, db) -> demo.SeedResult:
    return shared_demo
