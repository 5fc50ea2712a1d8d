from __future__ import annotations

from django.apps import AppConfig


class LiveCodesConfig(AppConfig):
    name = "shequn.livecodes"
    label = "livecodes"
    default_auto_field = "django.db.models.BigAutoField"
