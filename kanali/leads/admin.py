"""Operator admin for leads; tenant rows are listed through ``unscoped``."""

from django.contrib import admin

from kanali.core.admin import UnscopedAdmin
from kanali.leads import models


@admin.register(models.Lead)
class LeadAdmin(UnscopedAdmin):
    list_display = ["company", "program", "vendor", "status", "partnership", "attempts", "created_at"]
    list_select_related = ["program", "vendor", "partnership__partner"]
    list_filter = ["status", "source"]
    search_fields = ["company", "email", "contact_name"]
    raw_id_fields = ["program", "partnership", "duplicate_of", "created_by", "vendor"]


@admin.register(models.Offer)
class OfferAdmin(UnscopedAdmin):
    list_display = ["lead", "partnership", "status", "attempt", "offered_at", "deadline", "responded_at"]
    list_select_related = ["lead", "partnership__partner"]
    list_filter = ["status"]
    raw_id_fields = ["lead", "partnership", "decision", "responded_by", "vendor"]


@admin.register(models.RoutingDecision)
class RoutingDecisionAdmin(UnscopedAdmin):
    list_display = ["lead", "kind", "winner", "created_at"]
    list_select_related = ["lead", "winner__partner"]
    list_filter = ["kind"]
    raw_id_fields = ["lead", "winner", "actor", "vendor"]


for model in (models.LeadSettings, models.RoutingProfile, models.LeadEvent, models.LeadImport):
    admin.site.register(model, UnscopedAdmin)
