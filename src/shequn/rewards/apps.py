from __future__ import annotations

from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "shequn.rewards"
    label = "rewards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shequn.rewards import tasks  # noqa: F401 - registers the periodic reconciler
