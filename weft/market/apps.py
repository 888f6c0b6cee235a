from django.apps import AppConfig


class MarketConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "weft.market"
    verbose_name = "Sourcing marketplace"
