"""The database refuses UPDATE and DELETE on audit events (see backend.audit.db)."""

from django.db import migrations


def install(apps, schema_editor):
    from backend.audit.db import install_triggers

    install_triggers(schema_editor.connection)


def drop(apps, schema_editor):
    from backend.audit.db import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.RunPython(install, drop),
    ]
