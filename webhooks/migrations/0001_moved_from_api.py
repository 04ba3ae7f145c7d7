"""The webhook tables, created by the API app's migrations 0002-0003 when webhooks were part of
it: this app takes over their state and their tables, which keep their names (no database change)."""

import django.db.models.deletion
import webhooks.destinations
import webhooks.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('analytics', '0002_run_release'),
        ('api', '0003_webhook_url_validator_and_sweep'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Webhook',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('url', models.URLField(help_text='https, to a host with public addresses only unless allow-listed (docs/api.md)', max_length=500, validators=[webhooks.destinations.validate_webhook_url])),
                        ('patterns', models.JSONField(default=list, help_text='Finding patterns to deliver, e.g. ["silo", "isolation"]')),
                        ('secret', models.CharField(default=webhooks.models.new_secret, help_text='Key of the HMAC-SHA256 signature', max_length=200)),
                        ('is_active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'api_webhook',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('failed', 'Failed')], default='pending', max_length=20)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('response_status', models.PositiveIntegerField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('next_attempt_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('finding', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to='analytics.finding')),
                        ('webhook', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='webhooks.webhook')),
                    ],
                    options={
                        'db_table': 'api_webhookdelivery',
                        'ordering': ['id'],
                        'constraints': [models.UniqueConstraint(fields=('webhook', 'finding'), name='delivery_once')],
                    },
                ),
            ],
        ),
    ]
