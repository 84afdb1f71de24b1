"""Screening claimed rows just before sending: the endpoint still exists and is reachable, the address is
not suppressed, consent and the SMS spend limit allow it, and the message renders."""

from __future__ import annotations

from datetime import datetime

from channels.models import Dispatch, Reason, Source, Status
from channels.services.ledger import Claimed, Outcome
from channels.services.recipients import EndpointRow, endpoint_rows_for_send
from channels.services.render import Rendered, RenderPlan
from channels.services.spend import limit_millicents, price_millicents, sms_spend_reserve
from segments.selectors import consent_policy_for, opted_in_among, suppressed_among
from templates.models import Channel
from templates.services.rendering import RenderFailed, RenderingSkipped

# Sends a "promotional only" consent policy exempts.
TRANSACTIONAL_SOURCES = (Source.TRANSACTIONAL, Source.TEST)
NO_CONSENT_TEXT = "no recorded opt-in, and the channel's consent policy requires one"


class Screen:
    def __init__(self, dispatch: Dispatch, plan: RenderPlan) -> None:
        self.dispatch = dispatch
        self.plan = plan
        self.needs_consent = _needs_consent(dispatch)

    def prepare(self, claimed: list[Claimed], now: datetime, outcomes: dict[int, Outcome]) -> list[Rendered]:
        """The rows to hand to the transport, rendered; the others get their outcome in `outcomes`."""
        if self.dispatch.expires_at is not None and now >= self.dispatch.expires_at:
            for row in claimed:
                outcomes[row.id] = Outcome(
                    row.id, Status.EXPIRED, Reason.EXPIRED, "not sent before the message expired"
                )
            return []
        ids = [row.endpoint_id for row in claimed if row.endpoint_id]
        endpoints = endpoint_rows_for_send(
            tenant_id=self.dispatch.tenant_id, endpoint_ids=ids, application_id=self.plan.application_id
        )
        reachable: list[tuple[Claimed, EndpointRow | None, str]] = []
        for row in claimed:
            endpoint = endpoints.get(row.endpoint_id) if row.endpoint_id else None
            refusal = _refusal(row, endpoint)
            if refusal is not None:
                outcomes[row.id] = Outcome(row.id, Status.SKIPPED, refusal[0], refusal[1], address=row.address)
            else:
                reachable.append((row, endpoint, row.address or (endpoint.address if endpoint else "")))
        suppressed = suppressed_among(
            tenant_id=self.dispatch.tenant_id, addresses=[a for _, _, a in reachable], channel=self.dispatch.channel
        )
        consenting = self._consenting(reachable) if self.needs_consent else None
        ready: list[Rendered] = []
        for row, endpoint, address in reachable:
            if address in suppressed:
                outcomes[row.id] = Outcome(
                    row.id, Status.SKIPPED, Reason.SUPPRESSED, "the address is on the suppression list", address=address
                )
                continue
            if consenting is not None and not (endpoint.opt_in_at is not None if endpoint else address in consenting):
                outcomes[row.id] = Outcome(row.id, Status.SKIPPED, Reason.NO_CONSENT, NO_CONSENT_TEXT, address=address)
                continue
            rendered = self._render(row, endpoint, address, outcomes)
            if rendered is not None:
                ready.append(rendered)
        if self.dispatch.channel == Channel.SMS:
            ready = self._spend(ready, now, outcomes)
        return ready

    def _consenting(self, reachable: list[tuple[Claimed, EndpointRow | None, str]]) -> set[str]:
        """Addresses sent to without an endpoint that an opted-in endpoint of the channel has (one query)."""
        bare = [address for _, endpoint, address in reachable if endpoint is None]
        return opted_in_among(tenant_id=self.dispatch.tenant_id, addresses=bare, channel=self.dispatch.channel)

    def _render(
        self, row: Claimed, endpoint: EndpointRow | None, address: str, outcomes: dict[int, Outcome]
    ) -> Rendered | None:
        try:
            return self.plan.render(row, endpoint.data if endpoint else None, address)
        except (RenderingSkipped, RenderFailed) as exc:
            outcomes[row.id] = Outcome(row.id, Status.FAILED, Reason.RENDERING_FAILURE, str(exc), address=address)
            return None

    def _spend(self, ready: list[Rendered], now: datetime, outcomes: dict[int, Outcome]) -> list[Rendered]:
        config = self.dispatch.config
        costs = []
        for r in ready:
            parts = r.rendered.sms.parts if r.rendered.sms is not None else 1
            costs.append((parts, price_millicents(config=config, address=r.message.address, parts=parts)))
        limit = limit_millicents(config)
        if limit is None and not any(cost for _, cost in costs):
            return ready
        allowed = sms_spend_reserve(tenant_id=self.dispatch.tenant_id, costs=costs, limit=limit, now=now)
        kept = []
        for r, ok, (parts, cost) in zip(ready, allowed, costs, strict=True):
            r.message.options = {**r.message.options, "_parts": parts, "_price_millicents": cost}
            if ok:
                kept.append(r)
            else:
                text = "the monthly SMS spend limit is reached; raise it in the channel settings"
                outcomes[r.message.delivery_id] = Outcome(
                    r.message.delivery_id, Status.SKIPPED, Reason.SPEND_LIMIT, text, address=r.message.address
                )
        return kept


def _needs_consent(dispatch: Dispatch) -> bool:
    """Whether the dispatch's recipients need a recorded opt-in. The policy is read once per chunk: the sender
    keeps one Dispatch instance for the chunk but makes a Screen per provider batch, so it is kept on that."""
    cached = dispatch.__dict__.get("_needs_consent")
    if cached is None:
        policy = consent_policy_for(tenant_id=dispatch.tenant_id, channel=dispatch.channel)
        cached = policy is not None and policy.requires(transactional=dispatch.source in TRANSACTIONAL_SOURCES)
        dispatch.__dict__["_needs_consent"] = cached
    return bool(cached)


def _refusal(row: Claimed, endpoint: EndpointRow | None) -> tuple[str, str] | None:
    if row.endpoint_id and endpoint is None:
        return Reason.NO_ADDRESS, f"endpoint {row.endpoint_id} no longer exists"
    if endpoint is not None:
        if endpoint.opt_out == "ALL":
            return Reason.OPT_OUT, "the endpoint opted out (OptOut ALL)"
        if endpoint.endpoint_status == "INACTIVE":
            return Reason.INACTIVE, "the endpoint is INACTIVE"
    if not (row.address or (endpoint.address if endpoint else "")):
        return Reason.NO_ADDRESS, "no address to send to"
    return None
