"""What the apps' admins share, and the admin site itself."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import JsonResponse


class ShownNotChanged:
    """Shown in the admin, never added or changed there by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ShownNotChanged, admin.ModelAdmin):
    """Shown, never added, changed or deleted by hand: records the application or the database writes."""

    def has_delete_permission(self, request, obj=None):
        return False


class AdminSite(admin.AdminSite):
    site_header = "Alliance Builder"
    site_title = "Alliance Builder admin"
    index_title = "Reference data and consortia"

    def autocomplete_view(self, request):
        """A term with a NUL character (which no text column holds) finds nothing: PostgreSQL's driver refused
        the query, a 500. (The change lists' search form refuses it already.)"""
        if "\x00" in request.GET.get("term", ""):
            return JsonResponse({"results": [], "pagination": {"more": False}})
        return super().autocomplete_view(request)


class AdminSiteConfig(AdminConfig):
    """django.contrib.admin with the site above as `admin.site`."""

    default_site = "config.admin.AdminSite"
