from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "shequn.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from shequn.tenancy import checks  # noqa: F401 - registers the system check
