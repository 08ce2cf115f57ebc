from django.db import migrations, models

import accounts.models


class Migration(migrations.Migration):
    # Existing companies get every pack (the default): they already have the whole catalogue installed.

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="packs",
            field=models.JSONField(blank=True, default=accounts.models.default_packs, verbose_name="catalogue packs"),
        ),
    ]
