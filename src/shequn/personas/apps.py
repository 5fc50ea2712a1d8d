from __future__ import annotations

from django.apps import AppConfig


class PersonasConfig(AppConfig):
    name = "shequn.personas"
    label = "personas"
    default_auto_field = "django.db.models.BigAutoField"
