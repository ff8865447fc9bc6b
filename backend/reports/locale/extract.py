"""Rebuild this app's catalogue from every file of the reports feature.

The reports strings live in ``backend/reports``, ``admin_config/reports.py``
(+ its templates), ``graphql_schema/reports`` and a few population services;
they share one catalogue (``backend/reports/locale``) so that parallel work
on other apps' catalogues does not collide. Run from the repository root:

    .venv/bin/python backend/reports/locale/extract.py

Strings that the population catalogue already translates are left out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "backend" / "reports" / "locale"
SOURCES = [
    *sorted((ROOT / "backend" / "reports").rglob("*.py")),
    ROOT / "admin_config" / "reports.py",
    *sorted((ROOT / "admin_config" / "templates" / "admin" / "reports").glob("*.html")),
    *sorted((ROOT / "graphql_schema" / "reports").glob("*.py")),
    ROOT / "backend" / "population" / "services.py",
]
OTHER_CATALOGUES = [ROOT / "backend" / "population" / "locale" / "id" / "LC_MESSAGES" / "django.po"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        os.symlink(LOCALE, tmp_path / "locale")
        for i, source in enumerate(SOURCES):
            if "locale" in source.parts:
                continue
            os.symlink(source, tmp_path / f"{i:03d}_{source.name}")
        subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "makemessages",
                "-l",
                "id",
                "--symlinks",
                "--no-location",
                "--no-obsolete",
            ],
            cwd=tmp,
            check=True,
        )
    po_path = LOCALE / "id" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    known = set()
    for other in OTHER_CATALOGUES:
        known |= {e.msgid for e in polib.pofile(str(other)) if e.msgstr}
    for entry in [e for e in po if e.msgid in known and not e.msgid_plural]:
        po.remove(entry)
    po.save()


if __name__ == "__main__":
    main()
