from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "kanali.incentives"
    label = "incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        # Metric functions, hooks and portal widgets register here.
        from kanali.incentives import registrations  # noqa: F401
