"""The database steps of ``bin/run``, in one Python process.

Compile the translations, migrate, load the region tree (idempotent) and
seed the demo into an empty database, or reset it with ``--reset-demo``.
One process instead of one ``manage.py`` per step saves a Django start-up
(about two seconds) per step on every run.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def say(message: str) -> None:
    bold, plain = ("\033[1m", "\033[0m") if sys.stderr.isatty() else ("", "")
    print(f"{bold}==> {message}{plain}", file=sys.stderr, flush=True)


def main() -> None:
    reset = "--reset-demo" in sys.argv[1:]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings.base")

    from backend.common.translations import compile_all

    say("Compiling translations")
    # Before Django starts, so no catalogue is loaded before its .mo exists.
    print(f"compiled {len(compile_all(ROOT))} catalogue(s)")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    where = db["NAME"] if db["ENGINE"].endswith("sqlite3") else f"{db['ENGINE']} {db['NAME']}"
    say(f"Migrating the database ({os.path.relpath(where, ROOT) if '/' in str(where) else where})")
    call_command("migrate", interactive=False, verbosity=0)
    say("Loading the region tree of Kota Balikpapan")
    call_command("load_regions")
    if reset:
        say("Resetting the demo population and accounts")
        call_command("seed_demo", reset=True)
    else:
        say("Seeding the demo population and accounts (only into an empty database)")
        call_command("seed_demo", if_empty=True)


if __name__ == "__main__":
    main()
