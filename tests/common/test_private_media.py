"""Uploaded files are never served as public media, not even with DEBUG on."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings


@override_settings(DEBUG=True)
def test_uploaded_files_are_not_reachable_by_url(client, db):
    name = default_storage.save("imports/probe/upload.csv", ContentFile(b"nik\n6471041705750001\n"))
    try:
        assert client.get(f"/media/{name}").status_code == 404
    finally:
        default_storage.delete(name)
