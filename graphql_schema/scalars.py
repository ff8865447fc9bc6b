"""Scalars whose serialisation Lapor RT sets itself.

``DateTime`` is written in WITA, the offset the kelurahan lives in
(``2026-12-04T19:05:00+08:00``) rather than in UTC: the same instant, but a
phone app that shows the string's clock time shows the right one. Input is
read as before (any ISO 8601 offset). The name and description are
strawberry's own, so the printed schema does not change.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition


def serialize_datetime(value: dt.datetime) -> str:
    """An aware datetime in the site's zone (Asia/Makassar); a naive one is taken as WITA."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value).isoformat()


WitaDateTime = ScalarDefinition(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=DateTimeDefinition.specified_by_url,
    serialize=serialize_datetime,
    parse_value=DateTimeDefinition.parse_value,
    parse_literal=DateTimeDefinition.parse_literal,
    origin=dt.datetime,
)

SCALAR_OVERRIDES = {dt.datetime: WitaDateTime}
