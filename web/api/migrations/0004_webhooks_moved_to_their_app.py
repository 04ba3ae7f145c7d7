"""The webhook models moved to the webhooks app (webhooks/migrations/0001): their state leaves
this app, their tables stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0003_webhook_url_validator_and_sweep'),
        ('webhooks', '0001_moved_from_api'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='WebhookDelivery'),
                migrations.DeleteModel(name='Webhook'),
            ],
        ),
    ]
