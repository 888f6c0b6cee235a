from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "weft.events"
    label = "events"
    verbose_name = "Events, news and regional brands"
