"""Existing DRF tokens (plaintext in authtoken_token) become hashed ApiTokens that keep working
and expire 90 days after this migration; then the plaintext table is dropped.

rest_framework.authtoken is no longer installed, so its table is read with plain SQL, and only
when it exists (a new database never had it). The reverse cannot bring the plaintext back.
"""

import hashlib
from datetime import UTC, timedelta

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

PLAINTEXT_TABLE = "authtoken_token"
DAYS_LEFT = 90


def aware(created):
    """The row's creation time as an aware datetime (raw SQL may give a string or naive one)."""
    moment = parse_datetime(created) if isinstance(created, str) else created
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def hash_plaintext_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if PLAINTEXT_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    expires_at = timezone.now() + timedelta(days=DAYS_LEFT)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {PLAINTEXT_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            prefix=key[:12],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=aware(created),
            expires_at=expires_at,
        )
        for key, user_id, created in rows
    )
    schema_editor.execute(f"DROP TABLE {PLAINTEXT_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_api_tokens")]

    operations = [migrations.RunPython(hash_plaintext_tokens, migrations.RunPython.noop)]
