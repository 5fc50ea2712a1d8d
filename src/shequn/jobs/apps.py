from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "shequn.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from shequn.jobs import periodic  # noqa: F401 - declares the built-in schedule
