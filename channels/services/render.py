"""Turning claimed ledger rows into rendered OutboundMessages: one content snapshot per dispatch, the
recipient's endpoint JSON as context, per-recipient substitutions and overrides from the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from channels.models import Dispatch
from channels.services.ledger import Claimed
from channels.tracking.rewrite import email_tracking_for
from channels.transports import OutboundMessage
from templates.models import Channel, MissingVariablePolicy
from templates.services.rendering import RenderedMessage, content_render

# Per-address overrides (Pinpoint's AddressConfiguration / EndpointSendConfiguration) and where they land.
_OVERRIDES = {"BodyOverride": ("Body", "TextPart", "Text"), "TitleOverride": ("Title", "Subject")}


@dataclass
class Rendered:
    message: OutboundMessage
    rendered: RenderedMessage


class RenderPlan:
    """Everything a dispatch needs to render any of its recipients, prepared once per chunk."""

    def __init__(self, dispatch: Dispatch) -> None:
        message = dispatch.message or {}
        self.dispatch = dispatch
        self.channel = dispatch.channel
        self.content: dict[str, Any] = message.get("content") or {}
        self.defaults: dict[str, str] = message.get("default_substitutions") or {}
        self.policy: str = message.get("policy") or MissingVariablePolicy.DEFAULT
        self.options: dict[str, Any] = message.get("options") or {}
        self.application_id = dispatch.tenant.public_id
        self.source = {
            "application_id": self.application_id,
            "campaign_id": dispatch.campaign_id,
            "run_id": dispatch.run_id,
            "treatment_id": dispatch.treatment_id,
            "journey_id": dispatch.journey_id,
            "activity_id": dispatch.activity_id,
            "source": dispatch.source,
        }
        self.tracking = email_tracking_for(dispatch)  # open pixel, click redirects, unsubscribe (EMAIL only)

    def endpoint_json(self, row: Claimed, endpoint: dict[str, Any] | None, address: str) -> dict[str, Any]:
        if endpoint is not None:
            return endpoint
        return {"Address": address, "ChannelType": _channel_type(self.channel), "Id": row.endpoint_id or ""}

    def render(self, row: Claimed, endpoint: dict[str, Any] | None, address: str) -> Rendered:
        """Raises RenderingSkipped or RenderFailed (a rendering failure of this recipient)."""
        context = row.context or {}
        rendered = content_render(
            channel=self.channel,
            content=self.content,
            default_substitutions=self.defaults,
            policy=self.policy,
            endpoint_json=self.endpoint_json(row, endpoint, address),
            application_id=self.application_id,
            campaign_id=self.dispatch.campaign_id,
            journey_id=self.dispatch.journey_id,
            extra=context.get("Substitutions") or None,
            trusted=True,
        )
        parts = dict(rendered.parts)
        for override, targets in _OVERRIDES.items():
            if context.get(override):
                for target in targets:
                    if target in parts or target == targets[0]:
                        parts[target] = context[override]
        if context.get("RawContent"):
            parts["RawContent"] = context["RawContent"]
        message = OutboundMessage(
            delivery_id=row.id,
            key=row.key,
            channel=self.channel,
            address=address,
            endpoint_id=row.endpoint_id,
            parts=parts,
            options={**self.options, **(context.get("Options") or {})},
            endpoint=endpoint,
            source=self.source,
        )
        if self.tracking is not None:
            self.tracking.apply(message)
        return Rendered(message=message, rendered=rendered)


def _channel_type(channel: str) -> str:
    types: dict[str, str] = {Channel.PUSH: "GCM", Channel.ALIMTALK: "CUSTOM", Channel.INAPP: "IN_APP"}
    return types.get(channel, channel)
