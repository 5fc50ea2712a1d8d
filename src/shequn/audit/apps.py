from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shequn.audit"
    label = "audit"
    verbose_name = "Audit log"
