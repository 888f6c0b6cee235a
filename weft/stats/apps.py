from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "weft.stats"
    label = "stats"
    verbose_name = "Statistics"
