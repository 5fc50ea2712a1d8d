"""Re-encrypt every stored secret under the newest key in SHEQUN_ENCRYPTION_KEYS.

Rotation: put a new key in front of the list, restart, run `shequn manage rotate_secrets`, and
once it reports success the old key can be removed. Values are read and written as ciphertext
(raw SQL), so no plaintext passes through model instances or signals.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from shequn.core.secrets import EncryptedTextField, reseal

BATCH = 500


def models_with_secrets() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields and model._meta.managed and not model._meta.proxy:
            found.append((model, fields))
    return found


def rotate_model(model: type[models.Model], fields: list[EncryptedTextField]) -> int:
    """Re-encrypt every non-empty value of `fields`; returns the number of values rewritten."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    rewritten = 0
    for field in fields:
        column = connection.ops.quote_name(field.column)
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"{column} IS NOT NULL AND {column} <> ''"
                params: list[Any] = []
                if last is not None:
                    where += f" AND {pk} > %s"
                    params.append(last)
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {where} "  # noqa: S608 - quoted identifiers
                    f"ORDER BY {pk} LIMIT {BATCH}",
                    params,
                )
                rows = cursor.fetchall()
                for row_pk, token in rows:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608 - quoted identifiers
                        [reseal(token), row_pk],
                    )
                rewritten += len(rows)
            if len(rows) < BATCH:
                break
            last = rows[-1][0]
    return rewritten


class Command(BaseCommand):
    help = "Re-encrypt all stored secrets under the newest SHEQUN_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, fields in models_with_secrets():
            count = rotate_model(model, fields)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} value(s) re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"rotate_secrets: {total} value(s) re-encrypted"))
