"""Operator admin for the partner lifecycle; tenant rows are listed through ``unscoped``."""

from django.contrib import admin

from kanali.core.admin import UnscopedAdmin
from kanali.partners import models

for model in (
    models.Application,
    models.ApplicationScore,
    models.AgreementTemplate,
    models.AgreementAcceptance,
    models.OnboardingStep,
    models.OnboardingProgress,
    models.PartnershipMilestones,
    models.PartnerNote,
    models.PartnershipStatusChange,
    models.LocatorListing,
    models.TierSettings,
    models.TierAssignment,
    models.TierChange,
    models.TierRun,
):
    admin.site.register(model, UnscopedAdmin)

admin.site.register(models.DirectoryProfile)
