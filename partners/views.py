"""The organisation directory's search, visible to every signed-in user. (The organisation page, which shows
the user's proposals, lives with them: alliances.views.proposals.)"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .forms import OrganisationSearchForm
from .models import Organisation
from .selectors import MOST_SIMILAR, lists_the_most_similar_only, organisation_search

PAGE_SIZE = 25


@login_required
@require_safe
def organisation_list(request):
    form = OrganisationSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():  # said above the list (a 600-character query, a made-up filter)
        organisations = Organisation.objects.none()
    else:
        organisations = organisation_search(**(form.filters() if form.is_bound else {}))
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        # A search that lists the 50 records most similar to it (PostgreSQL): as many means there may be more.
        "most_similar_only": bool(form.is_bound and lists_the_most_similar_only(form.filters()["query"]))
        and page.paginator.count >= MOST_SIMILAR,
    }
    template = (
        "partners/partials/organisation_table.html" if request.htmx else "partners/organisation_list.html"
    )
    return render(request, template, context)
