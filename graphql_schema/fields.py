"""List fields with a page size that is always bounded.

Every list takes ``pagination: {offset, limit}``. Without it a list returns
the default page (``PAGINATION_DEFAULT_LIMIT``); nested lists are paginated
per parent by the optimizer with window functions, so asking for the first
page of each household's residents returns only that page. A limit above
``GRAPHQL_MAX_PAGE_SIZE`` never reaches this code: ``PageSizeLimiter``
refuses the whole operation before execution.
"""

from __future__ import annotations

from django.conf import settings
from strawberry import UNSET
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.pagination import OffsetPaginationInput


def default_page_size() -> int:
    return settings.STRAWBERRY_DJANGO["PAGINATION_DEFAULT_LIMIT"]


def max_page_size() -> int:
    return settings.LAPOR_RT["GRAPHQL_MAX_PAGE_SIZE"]


class BoundedListField(StrawberryDjangoField):
    def apply_pagination(self, queryset, pagination=None, *, related_field_id=None):
        if self.is_list and (pagination is None or pagination is UNSET):
            pagination = OffsetPaginationInput(offset=0, limit=default_page_size())
        elif isinstance(pagination, OffsetPaginationInput) and (
            pagination.limit is UNSET or pagination.limit is None
        ):
            pagination = OffsetPaginationInput(offset=pagination.offset, limit=default_page_size())
        return super().apply_pagination(queryset, pagination, related_field_id=related_field_id)


def record_id(value) -> int | None:
    """A record id sent by a client, or None when it cannot be one (not digits, or more
    digits than a database key holds: such a number would overflow the query)."""
    text = str(value)
    return int(text) if text.isdigit() and len(text) <= 18 else None


SEARCH_TEXT_MAX = 200


def search_text(value: str, field: str) -> str:
    """A "contains" filter's text, trimmed; refused (naming the field) when it is longer
    than any name or address could be (SQLite refuses LIKE patterns past 50,000 bytes)."""
    from django.utils.translation import gettext as _

    from backend.common.errors import Code, DomainError

    value = value.strip()
    if len(value) > SEARCH_TEXT_MAX:
        raise DomainError(
            Code.INVALID,
            _("The search text is too long (at most %(max)d characters).")
            % {"max": SEARCH_TEXT_MAX},
            field=field,
        )
    return value
