from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesignerConfig(AppConfig):
    name = "kanali.designer"
    label = "designer"
    verbose_name = _("Program designer")
