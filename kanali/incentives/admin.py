"""Operator admin for commissions; tenant rows are listed through ``unscoped``."""

from django.contrib import admin

from kanali.core.admin import UnscopedAdmin
from kanali.incentives import models

for model in (
    models.CommissionPlan,
    models.CommissionRule,
    models.Statement,
    models.CommissionLine,
    models.PayoutAccount,
):
    admin.site.register(model, UnscopedAdmin)
