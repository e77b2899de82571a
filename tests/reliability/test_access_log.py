"""gunicorn's access log (--access-logfile) names the URL pattern, never the path: paths and referers hold
invitation, email-confirmation and password-reset tokens (a probe found 47 of them in one access log)."""

import pytest
import requests

from tests.reliability.conftest import start_gunicorn

TOKEN = "r43wzDySuidh78Aa2TePtA322r0gD-rLqDvzTfphsks"


@pytest.fixture
def logging_gunicorn(transactional_db, tmp_path):
    server = start_gunicorn(tmp_path, extra_args=["--access-logfile", "-"])
    yield server
    server.stop()


def test_no_token_in_an_access_line(logging_gunicorn):
    base = logging_gunicorn.base
    invitation_page = f"{base}/invite/{TOKEN}/"
    requests.get(invitation_page, allow_redirects=False, timeout=10)
    requests.get(f"{base}/static/css/app.css?v=1", headers={"Referer": invitation_page}, timeout=10)
    requests.get(f"{base}/accounts/reset/MQ/{TOKEN.lower()}/", allow_redirects=False, timeout=10)
    requests.get(f"{base}/accounts/confirm/{TOKEN}/?next=/invite/{TOKEN}/", allow_redirects=False, timeout=10)
    requests.get(f"{base}/invite/{TOKEN}/not-a-page/", timeout=10)
    logging_gunicorn.stop()

    lines = logging_gunicorn.log.read_text().splitlines()
    access = [line for line in lines if line.startswith("127.0.0.1 - -") and "/accounts/login/" not in line]
    assert len(access) == 5, lines
    assert not [line for line in lines if TOKEN in line or TOKEN.lower() in line]
    assert '"GET /invite/<str:token>/ HTTP/1.1" 404' in access[0]  # no such invitation
    assert f'"{base}/invite/<str:token>/"' in access[1]  # the referer, as its pattern
    assert "/accounts/reset/<uidb64>/<token>/" in access[2]
    assert '"GET (unresolved) HTTP/1.1" 404' in access[4]
