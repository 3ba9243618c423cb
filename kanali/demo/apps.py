from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for every app; at the top of the layering so it may import them all."""

    name = "kanali.demo"
    label = "demo"
    verbose_name = "Demo data"
