"""Every user-facing string of the invitation pages and emails is marked for translation."""

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "templates" / "invitations").rglob("*.*"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(path.parents[1])))
def test_templates_have_no_untranslated_text(template):
    source = template.read_text()
    source = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", source, flags=re.S)
    source = re.sub(r"<!DOCTYPE[^>]*>|<[^>]*>", "\n", source)
    leftovers = [line.strip() for line in source.splitlines() if re.search(r"[A-Za-z]{2,}", line)]
    assert not leftovers, leftovers
