from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shequn.api"
    label = "api"
    verbose_name = "REST API"
