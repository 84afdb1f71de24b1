"""Engage's INAPP journey activity: its message is stored for the participant's IN_APP endpoints by the channels
layer's in-app transport, where the app fetches it (GET .../endpoints/{id}/in-app-messages/). The activity's
MessageConfig becomes the dispatch options the transport stores with each message, named as an in-app campaign's:
Priority, the display caps (SessionCap, DailyCap, TotalCap: the app counts displays) and Schedule.EventFilter.

The app sees a journey as one CampaignId (the journey's id): a participant's later in-app activity replaces the
message of its earlier one, as a campaign's newer message replaces its older ones."""

from __future__ import annotations

from typing import Any

DEFAULT_PRIORITY = 3


def inapp_options(config: dict[str, Any]) -> dict[str, Any]:
    """The dispatch options of an INAPP activity's MessageConfig (see campaigns.services.plan.inapp_options)."""
    caps = {k: config.get(k) for k in ("SessionCap", "DailyCap", "TotalCap") if config.get(k)}
    schedule = {"EventFilter": config["EventFilter"]} if isinstance(config.get("EventFilter"), dict) else {}
    return {"Priority": config.get("Priority") or DEFAULT_PRIORITY, **caps, "Schedule": schedule}
