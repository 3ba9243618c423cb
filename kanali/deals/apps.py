from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "kanali.deals"
    label = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        # Metric functions, hooks and portal widgets register here.
        from kanali.deals import registrations  # noqa: F401
