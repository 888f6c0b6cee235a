from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CsrConfig(AppConfig):
    name = "weft.csr"
    label = "csr"
    verbose_name = _("Social responsibility and green production")
