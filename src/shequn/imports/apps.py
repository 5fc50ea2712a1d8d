from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "shequn.imports"
    label = "imports"
    verbose_name = "Imports"
