"""Wiring only: what the directory reports (partners.signals) turned into on-commit work of this app."""

from config.transactions import collect_on_commit
from partners.signals import change_requests_changed


def _touch(organisation_ids: list[int]) -> None:
    from .curation import proposals_touch_for_organisations

    proposals_touch_for_organisations(organisation_ids)


def on_change_requests_changed(sender, organisation_ids, **kwargs):
    # The builder shows "correction pending review" and the outcome: its cached fragments must go.
    collect_on_commit(_touch, organisation_ids)


def connect() -> None:
    change_requests_changed.connect(
        on_change_requests_changed, dispatch_uid="alliances:change_requests_touch"
    )
