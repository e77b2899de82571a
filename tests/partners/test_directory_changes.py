"""The directory's change log: every write to organisations, countries or organisation types changes the key
cached pages are stored under, whatever path made it, and so does a change that commits after a later one."""

import pytest
from django.db import connection, connections

from partners import directory, tasks
from partners.models import Country, DirectoryChange, Organisation, OrganisationType
from tests.factories import OrganisationFactory, country, org_type

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a second connection with its own transaction"
)


def test_every_kind_of_write_changes_the_key():
    seen = [directory.stamp()]

    def assert_changed():
        now = directory.stamp()
        assert now not in seen
        seen.append(now)

    organisation = OrganisationFactory(legal_name="Change Log GmbH")
    assert_changed()
    organisation.city = "Ghent"
    organisation.save()
    assert_changed()
    # Bulk updates send no signal and leave `updated_at` alone: the log still sees them.
    Organisation.objects.filter(pk=organisation.pk).update(acronym="CLG")
    assert_changed()
    finland = country("FI")
    finland.save()
    assert_changed()
    Country.objects.filter(code="FI").update(name="Suomi")
    assert_changed()
    OrganisationType.objects.filter(pk=org_type("enterprise").pk).update(labour_market_actor=False)
    assert_changed()
    organisation.delete()
    assert_changed()


def test_reading_the_directory_changes_nothing():
    OrganisationFactory()
    before = directory.stamp()
    list(Organisation.objects.select_related("country", "type"))
    Organisation.objects.filter(legal_name__icontains="x").count()
    assert directory.stamp() == before


def open_transaction_updating(organisation):
    """A second connection that has changed `organisation` and not committed yet."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("UPDATE partners_organisation SET city = 'Late' WHERE id = %s", [organisation.pk])
    return other


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_change_that_commits_after_a_later_one_still_changes_the_key():
    early, later = OrganisationFactory(), OrganisationFactory()
    slow = open_transaction_updating(early)  # its log row has the lower id
    try:
        Organisation.objects.filter(pk=later.pk).update(city="Quick")  # commits first, with a higher id
        before = directory.stamp()
        slow.commit()
    finally:
        slow.close()
    after = directory.stamp()
    assert after != before
    assert after[1] == before[1]  # the highest id alone would have missed it


def test_compaction_keeps_one_row_and_a_key_never_seen_before():
    for index in range(5):
        OrganisationFactory(legal_name=f"Compaction {index}")
    before = directory.stamp()
    assert directory.changes_compact(above=before[0]) == 0  # a short log is left alone
    assert directory.stamp() == before
    assert directory.changes_compact(above=0) == before[0]
    after = directory.stamp()
    assert after[0] == 1 and after[1] > before[1]
    assert DirectoryChange.objects.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_change_in_flight_during_compaction_still_changes_the_key():
    organisation = OrganisationFactory()
    slow = open_transaction_updating(organisation)
    try:
        directory.changes_compact(above=0)
        before = directory.stamp()
        slow.commit()
    finally:
        slow.close()
    assert directory.stamp() != before


def test_the_beat_task_compacts(settings, monkeypatch):
    for index in range(3):
        OrganisationFactory(legal_name=f"Beat {index}")
    assert "partners.tasks.compact_directory_changes" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    tasks.compact_directory_changes.delay()  # in-process in these tests; compacts only a long log
    assert directory.stamp()[0] > 1
    monkeypatch.setattr(directory, "COMPACT_ABOVE", 0)
    tasks.compact_directory_changes.delay()
    assert directory.stamp()[0] == 1
