from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "weft.talent"
    label = "talent"
    verbose_name = "Talent"
