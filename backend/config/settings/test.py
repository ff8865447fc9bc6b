"""Test settings: base with fast hashing, immediate tasks and a temp media folder."""

import tempfile

from backend.config.settings.base import *  # noqa: F403
from backend.config.settings.base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="lapor-rt-test-media-")
AXES_ENABLED = True
LANGUAGE_CODE = "id"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests use an in-memory database; WAL makes no sense there.
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "TEST": {"NAME": ":memory:"},
    }
