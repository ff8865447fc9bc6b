"""Hash chain columns (seq, prev_hash, row_hash), the locked_out action, fewer indexes.

Events written before the chain existed are chained here, in id order.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def chain_existing(apps, schema_editor):
    from backend.audit import chain

    AuditEvent = apps.get_model("audit", "AuditEvent")
    prev, seq = chain.GENESIS, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.changes = chain.normalise_json(event.changes or {})
        if event.snapshot is not None:
            event.snapshot = chain.normalise_json(event.snapshot)
        values = {name: getattr(event, name) for name in chain.CHAIN_FIELDS}
        event.row_hash = prev = chain.compute_hash(values)
        event.save(update_fields=["seq", "prev_hash", "row_hash", "changes", "snapshot"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("wilayah", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="sequence number"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(choices=[('created', 'created'), ('updated', 'updated'), ('deleted', 'deleted'), ('submitted', 'submitted'), ('approved', 'approved'), ('rejected', 'rejected'), ('revision_requested', 'revision requested'), ('withdrawn', 'withdrawn'), ('restored', 'restored'), ('imported', 'imported'), ('exported', 'exported'), ('logged_in', 'logged in'), ('login_failed', 'login failed'), ('locked_out', 'locked out after failed logins'), ('permission_denied', 'permission denied'), ('nik_revealed', 'NIK revealed'), ('token_created', 'API token created'), ('token_revoked', 'API token revoked')], max_length=24, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="actor"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="rt",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="wilayah.rt", verbose_name="RT"),
        ),
    ]
