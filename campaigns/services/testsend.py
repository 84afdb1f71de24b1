"""Campaign test sends: every treatment's message (the snapshot the planner builds) sent at once to ≤ 10
addresses or the endpoints of a segment of ≤ 100, through the tenant's channel with source TEST — never in the
campaign's metrics (the Outbox shows them when the channel is the sandbox). Results answer per treatment."""

from __future__ import annotations

from typing import Any

from campaigns.message import campaign_message
from campaigns.models import Campaign
from campaigns.services.plan import campaign_treatments
from channels.models import Delivery, Reason, Source, Status
from channels.services.direct_plan import Target, address_targets, endpoint_targets, mark_duplicates
from channels.services.direct_results import endpoint_result
from channels.services.dispatch import Recipient, deliveries_enqueue, dispatch_create
from channels.services.fallback import ENDPOINT_TYPES
from channels.services.send import deliveries_send
from channels.services.testsend import message_request_for_test
from engage.errors import Invalid
from engage.tenancy.audit import Actor, actor_label, audit
from segments.compiler.query import audience_guard_for, segment_members
from segments.definition import parse_definition
from segments.models import Segment
from templates.models import Channel

MAX_ADDRESSES = 10
MAX_SEGMENT_ENDPOINTS = 100


def campaign_send_test(
    *, campaign: Campaign, by: Actor, addresses: list[str] | None = None, segment_id: str = "", ip: str | None = None
) -> dict[str, Any]:
    """Send each treatment's message to the addresses or the segment's endpoints; the results per treatment."""
    targets = _targets(campaign, addresses or [], segment_id)
    mark_duplicates(targets)
    answer: dict[str, Any] = {"CampaignId": str(campaign.pk), "Treatments": {}}
    for treatment_id, mc, tc in campaign_treatments(campaign):
        message = campaign_message(
            tenant=campaign.tenant, channel=campaign.channel, message_configuration=mc, template_configuration=tc
        )
        answer["Treatments"][treatment_id] = _send(campaign, by, treatment_id, message, targets)
    data = {"recipients": len(targets)}
    audit(tenant=campaign.tenant, actor=by, action="campaign.test_send", target=campaign, data=data, ip=ip)
    return answer


def _targets(campaign: Campaign, addresses: list[str], segment_id: str) -> list[Target]:
    if addresses and segment_id:
        raise Invalid("give Addresses or SegmentId, not both", field="SegmentId")
    if addresses:
        if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
            raise Invalid("Addresses must be a list of addresses", field="Addresses")
        if len(addresses) > MAX_ADDRESSES:
            raise Invalid(f"give at most {MAX_ADDRESSES} addresses for a test", field="Addresses")
        request = message_request_for_test(channel=campaign.channel, addresses=addresses, endpoint_ids=[])
        return address_targets(request)
    if segment_id:
        ids = _segment_endpoint_ids(campaign, segment_id)
        return endpoint_targets(tenant=campaign.tenant, request={"Endpoints": {eid: {} for eid in ids}})
    raise Invalid("give up to 10 Addresses or a SegmentId of at most 100 endpoints", field="Addresses")


def _segment_endpoint_ids(campaign: Campaign, segment_id: str) -> list[str]:
    """The segment's endpoints on the campaign's channel (audience guard applied); refused above 100."""
    tenant = campaign.tenant
    if not Segment.objects.filter(tenant=tenant, public_id=str(segment_id)).exists():
        raise Invalid(f"no segment {segment_id!r} in this project", field="SegmentId")
    definition = parse_definition({"SegmentGroups": {"Groups": [{"SourceSegments": [{"Id": str(segment_id)}]}]}})
    members = segment_members(tenant=tenant, definition=definition, guard=audience_guard_for(tenant=tenant))
    types = sorted(ENDPOINT_TYPES.get(campaign.channel, ()))
    ids = list(members.filter(channel_type__in=types).order_by("pk").values_list("endpoint_id", flat=True)[:101])
    if len(ids) > MAX_SEGMENT_ENDPOINTS:
        text = f"a test segment may hold at most {MAX_SEGMENT_ENDPOINTS} {campaign.channel} endpoints"
        raise Invalid(text, field="SegmentId")
    if not ids:
        raise Invalid(f"the segment has no {campaign.channel} endpoints", field="SegmentId")
    return ids


def _send(campaign: Campaign, by: Actor, treatment_id: str, message: dict[str, Any], targets: list[Target]) -> Any:
    """One TEST dispatch for a treatment, sent inline; the result of each target from its ledger row."""
    dispatch = dispatch_create(
        tenant=campaign.tenant,
        channel=campaign.channel,
        source=Source.TEST,
        message=message,
        created_by=actor_label(by)[:255],
        treatment_id=treatment_id,
    )
    keys = {index: f"test:{dispatch.pk}:{index}" for index, t in enumerate(targets) if t.result is None}
    recipients = [_recipient(key, targets[index]) for index, key in keys.items()]
    for chunk in deliveries_enqueue(dispatch=dispatch, recipients=recipients, send=False):
        deliveries_send(tenant_id=dispatch.tenant_id, dispatch_id=dispatch.pk, chunk=chunk)
    rows = {d.key: d for d in Delivery.objects.filter(tenant_id=campaign.tenant_id, dispatch=dispatch)}
    results = {}
    for index, target in enumerate(targets):
        row = rows.get(keys.get(index, ""))
        results[target.name] = endpoint_result(row) if row is not None else target.result
    return {"DispatchId": str(dispatch.pk), "Result": results}


def _recipient(key: str, target: Target) -> Recipient:
    context = {"Options": {"ChannelType": target.channel_type}} if target.channel == Channel.PUSH else None
    return Recipient(
        key=key,
        endpoint_id=target.endpoint_id,
        user_id=target.user_id,
        address=target.address if not target.endpoint_id else "",
        context=context,
        status=Status.SKIPPED if target.duplicate else Status.QUEUED,
        reason=Reason.DUPLICATE if target.duplicate else "",
    )
