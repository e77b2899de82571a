from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "email_confirmed_at", "is_staff", "is_active")
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        ("email_confirmed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "email_confirmed_at")}),
    )
    readonly_fields = ("email_confirmed_at",)

    def save_model(self, request, obj, form, change):
        if change and "email" in form.changed_data:
            obj.email_confirmed_at = None  # a new address is confirmed by its holder, not by the old one's
        super().save_model(request, obj, form, change)

    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
