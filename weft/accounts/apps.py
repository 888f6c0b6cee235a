from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "weft.accounts"
    label = "accounts"
