"""Compile the project's gettext catalogues (.po to .mo) without GNU gettext.

Compiled .mo files are build output and not committed; ``bin/run``,
``bin/test`` and the test session compile them. polib does it in pure
Python, so a machine without ``msgfmt`` still gets the Indonesian admin.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings

SKIP_DIRS = {".venv", "node_modules", ".git", "var"}


def catalogue_paths(root: Path | None = None) -> list[Path]:
    root = root or Path(settings.BASE_DIR)
    return sorted(
        p for p in root.rglob("locale/*/LC_MESSAGES/*.po") if not SKIP_DIRS & set(p.parts)
    )


def compile_all(root: Path | None = None, *, force: bool = False) -> list[Path]:
    """Compile every .po whose .mo is missing or older; return the files written."""
    written = []
    for po_path in catalogue_paths(root):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written
