"""The kinds of import; importing this package registers them.

Historical reports plug in here once the reports domain (issue 3) exists:
a ``Kind`` with its resource and a session over the reports' bulk service.
"""

from backend.imports.kinds import population, regions  # noqa: F401
