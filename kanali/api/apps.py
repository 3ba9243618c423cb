from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kanali.api"
    label = "api"
    verbose_name = "API"
