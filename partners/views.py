"""The organisation directory: search, and one page per organisation. Visible to every signed-in user."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from alliances.forms import OrganisationSearchForm
from alliances.selectors import organisation_participations_for_user

from .models import Organisation
from .selectors import organisation_search

PAGE_SIZE = 25


@login_required
@require_GET
def organisation_list(request):
    form = OrganisationSearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    page = Paginator(organisation_search(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    template = (
        "partners/partials/organisation_table.html" if request.htmx else "partners/organisation_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def organisation_detail(request, pk):
    organisation = get_object_or_404(
        Organisation.objects.select_related("country", "type", "created_by"), pk=pk
    )
    participations = organisation_participations_for_user(organisation=organisation, user=request.user)
    return render(
        request,
        "partners/organisation_detail.html",
        {"organisation": organisation, "participations": participations},
    )
