"""Every user-facing string is marked for translation, and makemessages runs clean."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
MY_TEMPLATES = [
    *(ROOT / "templates" / "alliances").rglob("*.html"),
    *(ROOT / "templates" / "partners").rglob("*.html"),
    ROOT / "templates" / "accounts" / "signup.html",
]


def test_makemessages_runs_clean(tmp_path, monkeypatch, capsys):
    # On a copy of the sources, so the repository's catalogue is left as it is.
    project = tmp_path / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv",
            "node_modules",
            ".git",
            "test-artifacts",
            "staticfiles",
            "data",
            "*.sqlite3",
            "locale",
            "bench",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
            ".ruff_cache",
        ),
    )
    (project / "locale").mkdir()
    monkeypatch.chdir(project)
    with override_settings(LOCALE_PATHS=[project / "locale"]):
        call_command("makemessages", locale=["en"], verbosity=1)
    captured = capsys.readouterr()
    assert "warning" not in (captured.out + captured.err).lower()
    po = (project / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()
    for text in (
        "Add a participant",
        "From the directory:",
        "Nothing was saved: the proposal changed",
        "%(observed)s of %(required)s full partners",
        "Create your account",
    ):
        assert text in po, text


@pytest.mark.parametrize("template", MY_TEMPLATES, ids=lambda path: path.name)
def test_templates_have_no_untranslated_text(template):
    """Text between tags is either a template variable/tag or inside a translate tag."""
    source = template.read_text()
    source = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", source, flags=re.S)
    source = re.sub(r"{%\s*block main_class.*?endblock main_class\s*%}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", source, flags=re.S)
    source = re.sub(r"<[^>]*>", "\n", source)
    leftovers = [line.strip() for line in source.splitlines() if re.search(r"[A-Za-z]{2,}", line)]
    assert not leftovers, leftovers
