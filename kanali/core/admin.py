"""Operator admin. Tenant models are listed through ``unscoped`` on purpose."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kanali.core.models import AuditLog, Membership, Organization, Partnership, Program


class UnscopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return self.model.unscoped.all()  # type: ignore[attr-defined,no-any-return]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "is_vendor", "is_partner"]
    list_filter = ["is_vendor", "is_partner"]
    search_fields = ["name", "slug", "vat_number"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__email", "organization__name"]


@admin.register(Program)
class ProgramAdmin(UnscopedAdmin):
    list_display = ["name", "vendor", "status"]
    list_select_related = ["vendor"]


@admin.register(Partnership)
class PartnershipAdmin(UnscopedAdmin):
    list_display = ["partner", "program", "vendor", "status", "tier"]
    list_select_related = ["partner", "program", "vendor"]
    list_filter = ["status"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "object_repr", "actor", "vendor"]
    list_select_related = ["actor", "vendor"]
    readonly_fields = [f.name for f in AuditLog._meta.fields]
