"""The client's address: what the sign-in lockout (django-axes, `AXES_CLIENT_IP_CALLABLE`) and the invite-link
lookup limit count by."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """REMOTE_ADDR; behind TRUSTED_PROXY_COUNT reverse proxies, each appending the address it saw to
    X-Forwarded-For (the nearest one is REMOTE_ADDR), the entry the outermost one appended: the
    TRUSTED_PROXY_COUNT-th from the right. Whatever a client wrote into the header stands left of it and is
    never read: python-ipware, which django-axes would use, read a `"` there as the start of a quoted value
    that swallowed the proxies' entries, so a client chose the address it was counted under.

    A request that did not pass every proxy (a shorter header, or an entry that is no address) is counted
    under REMOTE_ADDR, with every other such request."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        chain = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(chain) >= proxies:
            try:
                return str(ipaddress.ip_address(chain[-proxies].strip()))
            except ValueError:
                pass
    return remote
