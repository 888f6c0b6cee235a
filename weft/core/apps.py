from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "weft.core"
    label = "core"

    def ready(self):
        from . import lookups  # noqa: F401  (registers the `__among` lookup)
