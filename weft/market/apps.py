from django.apps import AppConfig


class MarketConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "weft.market"
    verbose_name = "Sourcing marketplace"

    def ready(self):
        from . import signals

        signals.connect()
