"""Signed-in pages are never kept in the browser's cache, so the Back button asks the server again and never
shows an old consortium or an old verdict; a request too big to read, or sent with a method its address does
not take, or that waited too long for a row someone else's change holds, gets a page that says so."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import OperationalError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers


def never_cache_signed_in(get_response):
    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)  # Cache-Control: ..., no-store, private
        return response

    return middleware


def refuse_too_big_requests(get_response):
    """A form too big to read (DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS/FILES) is a 413
    with the product's page, rather than Django's 400 (its debug page under DEBUG), and a link with too many
    parameters the product's 400 (Django's debug page failed on it, a 500). Reading the form here,
    before the CSRF check does, is what lets the page be ours; nothing is saved."""

    def middleware(request):
        try:
            request.GET  # noqa: B018 (a link with more parameters than a form may have fields)
        except TooManyFieldsSent:
            return render(request, "400.html", status=400)
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (parsed once; the view reads the same parsed form)
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
                return render(request, "413.html", status=413)
        return get_response(request)

    return middleware


def explain_refused_methods(get_response):
    """An address asked with a method it does not take (a form's address opened as a page, say) gets the
    product's 405 page, with the methods it does take, rather than Django's empty response."""

    def middleware(request):
        response = get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response

    return middleware


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout passed


class BusyDatabase:
    """A request that waited longer than the database's lock_timeout for a row another transaction holds: a
    503 saying nothing was saved (its transaction rolled back), rather than a 500. htmx says it with the
    page's `data-busy` sentence."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and getattr(exception.__cause__, "pgcode", None) == (
            LOCK_NOT_AVAILABLE
        ):
            return render(request, "503.html", status=503)
        return None
