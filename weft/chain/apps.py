from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "weft.chain"
    label = "chain"
    verbose_name = "Industry chain and docking"
