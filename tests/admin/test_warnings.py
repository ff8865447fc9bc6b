"""No admin page warns, so a run that turns warnings into errors does not answer 500.

unfold 0.110.0 on Django 6.1 warns (RemovedInDjango2028Warning) about its
``get_action_choices`` override on every change list; ``admin_config.base``
fixes the signature for our ModelAdmins and ``admin_config.site`` filters
the warning for third-party ones.
"""

from __future__ import annotations

import pytest
from django.contrib import admin

from backend.accounts.models import User
from tests.admin.conftest import admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("akar", password="rahasia-uji-123")


@pytest.mark.filterwarnings("error")
def test_every_changelist_and_add_page_renders_with_warnings_as_errors(
    client, superuser, population
):
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        response = client.get(admin_url(f"{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == 200, opts.label
        if model_admin.has_add_permission(response.wsgi_request):
            response = client.get(admin_url(f"{opts.app_label}_{opts.model_name}_add"))
            assert response.status_code == 200, opts.label


@pytest.mark.filterwarnings("error")
def test_detail_pages_and_the_dashboard_render_with_warnings_as_errors(client, actors, population):
    client.force_login(actors.lurah)
    for url in (
        admin_url("index"),
        admin_url("population_household_change", population.rt1.pk),
        admin_url("population_resident_change", population.rt1.residents.first().pk),
        admin_url("wilayah_rt_change", population.rt1.rt_id),
        admin_url("wilayah_kelurahan_change", population.rt1.rt.kelurahan_id),
    ):
        assert client.get(url).status_code == 200, url
