"""The operations' notifications merge into the one inbox (issue 12).

Every existing notification becomes an inbox entry with the same user, agency, references,
legacy message, creation and read times; its kind gains its group ("changed" becomes
"operation.changed"). One INSERT ... SELECT, so the times are copied as they are (a model's
bulk_create would stamp `created_at` now) and a million rows take seconds. Reversible.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


FORWARD = """
INSERT INTO coordination_inboxitem
    (user_id, agency_id, kind, operation_id, subject_agency_id, message, needs_ack, created_at, read_at)
SELECT user_id, agency_id, 'operation.' || kind, operation_id, subject_agency_id, message, FALSE, created_at, read_at
FROM coordination_notification ORDER BY id
"""

BACKWARD = """
INSERT INTO coordination_notification
    (user_id, agency_id, kind, operation_id, subject_agency_id, message, created_at, read_at)
SELECT user_id, agency_id, substr(kind, 11), operation_id, subject_agency_id, message, created_at, read_at
FROM coordination_inboxitem WHERE kind LIKE 'operation.%' ORDER BY id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0008_audit_action_longer'),
        ('coordination', '0004_bulletins'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='InboxItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40)),
                ('message', models.CharField(blank=True, max_length=300)),
                ('needs_ack', models.BooleanField(default=False)),
                ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('agency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='agencies.agency')),
                ('operation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coordination.jointoperation')),
                ('subject_agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='agencies.agency')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inbox_items', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.DeleteModel(
            name='Notification',
        ),
        migrations.AddIndex(
            model_name='inboxitem',
            index=models.Index(fields=['user', '-created_at', '-id'], name='inbox_item_user_idx'),
        ),
        migrations.AddIndex(
            model_name='inboxitem',
            index=models.Index(condition=models.Q(('read_at__isnull', True)), fields=['user'], name='inbox_item_unread_idx'),
        ),
    ]
