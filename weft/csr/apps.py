from django.apps import AppConfig


class CsrConfig(AppConfig):
    name = "weft.csr"
    label = "csr"
    verbose_name = "Social responsibility and green production"
