"""Signed-in pages are never kept in the browser's cache, so the Back button asks the server again and never
shows an old consortium or an old verdict."""

from django.utils.cache import add_never_cache_headers


def never_cache_signed_in(get_response):
    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)  # Cache-Control: ..., no-store, private
        return response

    return middleware
