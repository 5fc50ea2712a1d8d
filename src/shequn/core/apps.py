from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shequn.core"
    label = "core"
    verbose_name = "Shequn core"

    def ready(self) -> None:
        from shequn.core.logging import configure_logging

        configure_logging()
