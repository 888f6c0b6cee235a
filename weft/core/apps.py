from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "weft.core"
    label = "core"
