from __future__ import annotations

from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "shequn.segments"
    label = "segments"
    default_auto_field = "django.db.models.BigAutoField"
