"""Flags are images from django-countries' set, served as static files: emoji flags (regional indicator
letters) show as empty boxes on many desktops and in headless browsers."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from alliances.models import Role
from partners.models import Country

pytestmark = pytest.mark.django_db
REGIONAL_INDICATORS = re.compile("[\U0001f1e6-\U0001f1ff]")


def test_every_country_of_the_reference_data_has_a_flag_image():
    for country in Country.objects.all():
        source = re.search(r'src="/static/(flags/[a-z]{2}\.gif)"', country.flag)
        assert source, country.code
        assert finders.find(source.group(1)), country.code
        assert 'alt=""' in country.flag  # decorative: the country's name is written beside it


def test_a_country_without_an_image_shows_no_flag():
    assert Country(code="ZZ", name="Nowhere").flag == ""


def test_pages_show_flag_images_not_emoji(owner_client, proposal):
    html = owner_client.get(reverse("alliances:builder", args=[proposal.pk])).content.decode()
    applicant = proposal.participations.get(role=Role.APPLICANT).organisation
    assert f"flags/{applicant.country.code.lower()}.gif" in html
    assert not REGIONAL_INDICATORS.search(html)
    directory = owner_client.get(reverse("partners:organisation_list")).content.decode()
    assert "flags/" in directory and not REGIONAL_INDICATORS.search(directory)
