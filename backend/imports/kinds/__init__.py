"""The kinds of import; importing this package registers them."""

from backend.imports.kinds import population, regions, reports  # noqa: F401
