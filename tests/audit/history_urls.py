"""A test-only admin site with a throwaway resident admin that uses AuditHistoryMixin.

It stands for the real resident/household admins (another branch), which get
the history page by adding the mixin to their bases, as here.
"""

from django.urls import include, path
from unfold.admin import ModelAdmin
from unfold.sites import UnfoldAdminSite

from admin_config.audit import AuditHistoryMixin
from backend.accounts.roles import Cap
from backend.population.models import Household, Resident
from backend.population.selectors import household_list, resident_list


class _ScopedAdmin(ModelAdmin):
    selector = None

    def get_queryset(self, request):
        return type(self).selector(actor=request.user)

    def has_module_permission(self, request):
        return request.user.scope.has(Cap.POPULATION_VIEW)

    def has_view_permission(self, request, obj=None):
        return request.user.scope.has(Cap.POPULATION_VIEW)

    def has_add_permission(self, request):
        return request.user.scope.has(Cap.POPULATION_CHANGE)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return request.user.scope.has(Cap.POPULATION_CHANGE)
        return request.user.scope.can(Cap.POPULATION_CHANGE, obj.rt)


class ResidentHistoryAdmin(AuditHistoryMixin, _ScopedAdmin):
    selector = staticmethod(resident_list)
    fields = ("name",)


class HouseholdHistoryAdmin(AuditHistoryMixin, _ScopedAdmin):
    selector = staticmethod(household_list)
    fields = ("address",)


site = UnfoldAdminSite(name="audit_test_admin")
site.register(Resident, ResidentHistoryAdmin)
site.register(Household, HouseholdHistoryAdmin)

urlpatterns = [
    path("test-admin/", site.urls),
    path("", include("backend.config.urls")),
]
