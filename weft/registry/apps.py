from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "weft.registry"
    label = "registry"
    verbose_name = "Registry"
