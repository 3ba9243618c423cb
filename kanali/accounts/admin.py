from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kanali.accounts.models import ApiToken, Invitation, User
from kanali.core.admin import UnscopedAdmin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at", "revoked_at"]
    list_select_related = ["organization"]
    exclude = ["nonce"]


@admin.register(ApiToken)
class ApiTokenAdmin(UnscopedAdmin):
    list_display = ["name", "prefix", "user", "vendor", "created_at", "revoked_at"]
    list_select_related = ["user", "vendor"]
    exclude = ["key_hash"]
