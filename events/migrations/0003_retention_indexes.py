# Indexes the retention purge reads its batches from (events/retention.py). Built
# CONCURRENTLY: both tables take writes all the time and may hold millions of rows.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("events", "0002_outbox_type_without_choices"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="outboxevent",
            index=models.Index(
                condition=models.Q(("published_at__isnull", False)),
                fields=["published_at"],
                name="outbox_published",
            ),
        ),
        AddIndexConcurrently(
            model_name="processedevent",
            index=models.Index(fields=["processed_at"], name="processed_event_at"),
        ),
    ]
