from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "shequn.channels"
    label = "channels"
    verbose_name = "Channels"

    def ready(self) -> None:
        from shequn.channels import tasks  # noqa: F401 - registers the periodic reminder
