from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "shequn.ingest"
    label = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        from shequn.ingest import channel_cache, tasks, welcome  # noqa: F401 - registers the tasks
        from shequn.ingest.registry import autodiscover

        channel_cache.connect_invalidation()
        autodiscover()
