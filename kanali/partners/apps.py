from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "kanali.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        # Portal home widgets, metric functions and scheduled tasks register here.
        from kanali.partners import registrations  # noqa: F401
