"""The one error type services raise.

A service refuses with a :class:`DomainError` carrying a stable ``code`` and
a translated message, optionally per field. Doors translate it: the admin
into a form or message error, GraphQL into a typed error with that code, an
import into a row error. The message is built with ``gettext_lazy`` so that
it renders in the language of whoever reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.utils.translation import gettext_lazy as _


class Code:
    """Error codes shared by every domain; domains add their own strings."""

    INVALID = "invalid"
    REQUIRED = "required"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) with the input, optionally tied to a field."""

    code: str
    message: str
    field: str | None = None
    params: dict = dataclass_field(default_factory=dict, compare=False)

    def render(self) -> str:
        return str(self.message)


class DomainError(Exception):
    """A refused operation: nothing was written."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        field: str | None = None,
        problems: Iterable[Problem] | None = None,
    ) -> None:
        problems = list(problems or [])
        if not problems:
            problems = [Problem(code=code, message=message or _("Invalid input."), field=field)]
        self.problems: list[Problem] = problems
        self.code = code
        self.field = field if field is not None else problems[0].field
        self.message = message if message is not None else problems[0].message
        super().__init__(str(self.code))

    def __str__(self) -> str:
        return "; ".join(
            f"{p.field}: {p.render()}" if p.field else p.render() for p in self.problems
        )

    @classmethod
    def from_problems(cls, problems: Iterable[Problem]) -> DomainError:
        problems = list(problems)
        return cls(problems[0].code, problems[0].message, problems=problems)

    @classmethod
    def not_found(cls, what: str | None = None, *, field: str | None = None) -> DomainError:
        """Not found; also what an id outside the actor's scope gets, so it reveals nothing."""
        return cls(Code.NOT_FOUND, what or _("Data not found."), field=field)

    @classmethod
    def permission_denied(cls, message: str | None = None) -> DomainError:
        return cls(
            Code.PERMISSION_DENIED,
            message or _("You do not have permission for this action."),
        )
