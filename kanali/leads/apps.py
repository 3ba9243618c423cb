from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "kanali.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        # Metric functions, hooks and portal widgets register here.
        from kanali.leads import registrations  # noqa: F401
