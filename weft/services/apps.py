from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "weft.services"
    label = "services"
    verbose_name = "Services and vouchers"
