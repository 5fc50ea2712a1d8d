from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "shequn.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        # Each provider registers how its app's personal data is exported and erased.
        from shequn.privacy import providers  # noqa: F401
