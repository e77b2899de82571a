"""What the apps' admins share, and the admin site itself."""

import functools
from datetime import MAXYEAR, MINYEAR

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponseRedirect, JsonResponse


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


class OwnsItsRecords:
    """For the admin of a model whose objects own records the application writes (shown with ReadOnlyAdmin,
    which no one deletes by hand): deleting an object deletes them with it, with no delete permission of
    their own. (A proposal with an audit trail could not be deleted: "your account doesn't have permission to
    delete the following types of objects: participation event".)"""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        written = {
            model._meta.verbose_name
            for model, model_admin in self.admin_site._registry.items()
            if isinstance(model_admin, ReadOnlyAdmin)
        }
        return deleted, counts, perms_needed - written, protected


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

    def admin_view(self, view, cacheable=False):
        """Every admin view as Django wraps it; a change list refuses the parameters that Django's own
        would fail on (see `refusing_what_django_fails_on`)."""
        if getattr(view, "__name__", "") == "changelist_view":
            view = refusing_what_django_fails_on(
                view, getattr(getattr(view, "__self__", None), "date_hierarchy", None)
            )
        return super().admin_view(view, cacheable)


def refusing_what_django_fails_on(changelist_view, date_field: str | None):
    """The change list, but for parameters Django's change list failed on, with a 500: a NUL character in a
    filter's value (PostgreSQL's driver refuses it in a query: ValueError), or a date hierarchy's year
    without a year before and after it (9999, whose end is in year 10000; 1, which is year 0 in UTC east of
    Greenwich; 10^20: ValueError, OverflowError). They are told their filter is wrong, as Django tells a 30
    February."""

    @functools.wraps(changelist_view)
    def view(request, *args, **kwargs):
        year = request.GET.get(f"{date_field}__year", "") if date_field else ""
        if any("\x00" in value for _name, values in request.GET.lists() for value in values) or (
            year.isascii() and year.isdigit() and not MINYEAR < int(year) < MAXYEAR
        ):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return changelist_view(request, *args, **kwargs)

    return view


class AdminSiteConfig(AdminConfig):
    """django.contrib.admin with the site above as `admin.site`."""

    default_site = "config.admin.AdminSite"
