from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "weft.audit"
    label = "audit"
