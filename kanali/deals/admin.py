"""Operator admin for deals; tenant rows are listed through ``unscoped``."""

from django.contrib import admin

from kanali.core.admin import UnscopedAdmin
from kanali.deals import models

for model in (
    models.DealSettings,
    models.ConflictLock,
    models.Product,
    models.Account,
    models.DealRegistration,
    models.Deal,
    models.DealStageChange,
):
    admin.site.register(model, UnscopedAdmin)
