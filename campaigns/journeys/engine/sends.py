"""The send activities (EMAIL, SMS, PUSH, CUSTOM): a batch of participants becomes ledger rows of the activity's one
Dispatch, handed to the channels layer's send tasks when the advancer's transaction commits.

Per participant: its endpoints of the channel (a user participant: every endpoint of its UserId; opted-out and
inactive ones are refused by the send screen with their reason), its time zones (local time; estimation), quiet
time and the sending schedule (held until they open when WaitForQuietTime, else dropped), then the journey's
frequency caps reserved atomically with every campaign and journey. Ledger keys are j<journey>:<participant>:
<activity> (plus :<endpoint> for a user participant): a replayed step inserts nothing new and sends nothing twice.
A CUSTOM activity with a webhook DeliveryUri is called synchronously and its answer kept for later splits.

On PostgreSQL a step with none of those per-participant decisions (no caps, no webhook, no local time, quiet time or
sending schedule) is planned set-based: the endpoints are looked up, keyed and queued in one INSERT ... SELECT
(channels.services.dispatch_endpoints) and only the counts per participant come back."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from django.db import connection

from campaigns.journeys.engine.sends_custom import Answer, Call, custom_invoke, is_webhook, response_record
from campaigns.journeys.engine.sends_plan import (
    CHANNELS,
    Target,
    activity_dispatch,
    endpoint_types,
    journey_caps,
    participant_zones,
    participants_endpoints,
)
from campaigns.journeys.engine.sends_timing import journey_zone, open_at, open_for_all, window_for
from campaigns.journeys.engine.step import Batch, Outcome, Step, executor
from campaigns.models import Participant
from channels.models import Delivery, Dispatch, Reason, Status
from channels.services.caps import Cap, CapRequest, caps_reserve
from channels.services.dispatch import Recipient, deliveries_enqueue_bulk
from channels.services.dispatch_endpoints import MAX_KEY, deliveries_enqueue_endpoints
from channels.services.events import Written, delivery_events_record
from engage.errors import Invalid
from segments.models import Endpoint


def delivery_key(*, journey_id: int, participant: Participant, activity_id: str, endpoint_id: str) -> str:
    """The ledger key of one message of a participant at an activity (see the module docstring)."""
    key = f"j{journey_id}:{participant.pk}:{activity_id}"
    if participant.kind != Participant.Kind.USER:
        return key
    full = f"{key}:{endpoint_id}"
    if len(full) <= MAX_KEY:
        return full
    return f"{key}:#{hashlib.sha256(endpoint_id.encode()).hexdigest()[:40]}"


@dataclass
class Want:
    index: int
    endpoint: Target
    key: str
    status: str = Status.QUEUED
    reason: str = ""


@dataclass
class Pending:
    """A step that passed its timing checks, with what it carries into its outcome."""

    counts: list[tuple[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@executor("EMAIL", "SMS", "PUSH", "CUSTOM", "INAPP")
def sends_execute(batch: Batch) -> list[Outcome]:
    """Plan the batch's messages into the activity's dispatch; one Outcome per step."""
    return SendActivity(batch).run()


class SendActivity:
    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.aid = batch.activity_id
        self.kind = batch.kind
        self.body: dict[str, Any] = (batch.steps[0].activity.get(batch.kind) or {}) if batch.steps else {}
        self.next = str(self.body.get("NextActivity") or "") or None
        self.tenant = batch.journey.tenant
        definition = batch.definition
        self.window = window_for(definition=definition, tenant=self.tenant, channel=CHANNELS[self.kind])
        self.timed = self.window.quiet is not None or self.window.hours is not None or bool(self.window.closed)
        self.local = bool(definition.get("LocalTime"))
        self.wait = bool(definition.get("WaitForQuietTime"))
        self.methods = [str(m) for m in definition.get("TimezoneEstimationMethods") or []]
        self.types = endpoint_types(self.kind, self.body)
        self.zone = journey_zone(definition=definition, tenant=self.tenant)
        uri = str(self.body.get("DeliveryUri") or "") if self.kind == "CUSTOM" else ""
        self.webhook = uri if is_webhook(uri) else ""
        self.caps = journey_caps(journey=batch.journey, definition=definition)

    def run(self) -> list[Outcome]:
        steps = self.batch.steps
        if not steps:
            return []
        if connection.vendor == "postgresql" and not (self.timed or self.local or self.webhook or self.caps):
            outcomes = self._run_set()
            if outcomes is not None:
                return outcomes
        return self._run_each()

    def _run_set(self) -> list[Outcome] | None:
        """The set-based plan of a batch without per-participant decisions; None when the activity's message
        cannot be made (the per-participant path records why for each participant)."""
        steps = self.batch.steps
        try:
            dispatch = activity_dispatch(
                batch=self.batch, version=steps[0].participant.version, kind=self.kind, body=self.body
            )
        except Invalid:
            return None
        prefix = f"j{self.batch.journey.pk}:"
        user = Participant.Kind.USER
        addressed = deliveries_enqueue_endpoints(
            dispatch=dispatch,
            refs=range(len(steps)),
            by_user=[s.participant.kind == user for s in steps],
            ids=[s.participant.key for s in steps],
            keys=[f"{prefix}{s.participant.pk}:{self.aid}" for s in steps],
            types=self.types,
        )
        sent = Outcome(self.next, outcome="sent")  # a replayed step: its rows were already there
        outcomes = []
        for index, step in enumerate(steps):
            found = addressed.get(index)
            if found is None or not found.matching:
                outcomes.append(self._no_endpoint(step, others=found is not None))
            elif found.inserted:
                outcomes.append(Outcome(self.next, outcome="sent", counts=[(self.aid, "sent")] * found.inserted))
            else:
                outcomes.append(sent)
        return outcomes

    def _run_each(self) -> list[Outcome]:
        """Each participant's endpoints, zones and timing in Python; caps reserved and webhooks called per message."""
        steps = self.batch.steps
        outcomes: list[Outcome | None] = [None] * len(steps)
        pending: dict[int, Pending] = {}
        wanted: list[Want] = []
        for index, (step, endpoints) in enumerate(zip(steps, participants_endpoints(batch=self.batch), strict=True)):
            mine = [e for e in endpoints if e.channel_type in self.types]
            if not mine:
                outcomes[index] = self._no_endpoint(step, others=bool(endpoints))
                continue
            decided, carry = self._timing(step, mine)
            if decided is not None:
                outcomes[index] = decided
                continue
            pending[index] = carry
            for e in mine:
                key = delivery_key(
                    journey_id=self.batch.journey.pk,
                    participant=step.participant,
                    activity_id=self.aid,
                    endpoint_id=e.endpoint_id,
                )
                wanted.append(Want(index, e, key))
        if wanted:
            self._plan(wanted, pending, outcomes)
        return [o if o is not None else Outcome(self.next, outcome="sent") for o in outcomes]

    def _no_endpoint(self, step: Step, *, others: bool) -> Outcome:
        """A participant with no endpoint of the activity's types (`others`: it has endpoints of other types)."""
        if self.kind == "CUSTOM" and others:
            # Pinpoint: endpoints of other types pass through a custom activity without an invocation.
            return Outcome(self.next, outcome="passed:endpoint_type")
        reason = "unsupported_channel" if others else "no_endpoint"
        return self._dropped(step, reason, f"no {self.kind} endpoint", [])

    def _dropped(self, step: Step, reason: str, why: str, counts: list[tuple[str, str]]) -> Outcome:
        notes = {**((step.participant.data or {}).get("not_sent") or {}), self.aid: f"{reason}: {why}"}
        return Outcome(
            self.next,
            outcome=f"not_sent:{reason}",
            counts=[*counts, (self.aid, f"not_sent:{reason}"), ("", f"not_sent:{reason}")],
            data={"not_sent": notes},
        )

    def _timing(self, step: Step, endpoints: list[Target]) -> tuple[Outcome | None, Pending]:
        """An outcome when the participant is not sent to now (held or dropped), else what it carries on."""
        carry = Pending()
        if not self.timed and not self.local:
            return None, carry
        zones, facts, why = participant_zones(step=step, endpoints=endpoints, methods=self.methods)
        carry.data.update(facts)
        if facts.get("timezone_estimated"):
            carry.counts.append(("", "tz_estimated"))
        if not zones:
            if self.local:
                outcome = self._dropped(step, "no_timezone", why, [*carry.counts, ("", "tz_missing")])
                outcome.data = {**(outcome.data or {}), **carry.data}
                return outcome, carry
            zones = [self.zone]
        now = self.batch.now
        opens = self._opens(now, zones)
        if opens is not None and opens <= now:
            return None, carry
        if opens is not None and self.wait:
            return Outcome(
                self.aid, wake_at=opens, outcome="held:quiet_time", counts=carry.counts, data=carry.data
            ), carry
        outcome = self._dropped(step, "quiet_time", "inside quiet time or outside the sending schedule", carry.counts)
        outcome.data = {**(outcome.data or {}), **carry.data}
        return outcome, carry

    def _opens(self, now: datetime, zones: list[tzinfo]) -> datetime | None:
        opens = open_for_all(now, self.window, zones)
        if opens is None and len(zones) > 1:
            # The zones' windows never overlap: follow the first endpoint's zone rather than never sending.
            opens = open_at(now, self.window, zones[0])
        return opens

    def _plan(self, wanted: list[Want], pending: dict[int, Pending], outcomes: list[Outcome | None]) -> None:
        steps = self.batch.steps
        version = steps[0].participant.version
        try:
            dispatch = activity_dispatch(batch=self.batch, version=version, kind=self.kind, body=self.body)
        except Invalid as exc:
            for index in pending:
                outcomes[index] = self._dropped(
                    steps[index], Reason.RENDERING_FAILURE, exc.message, pending[index].counts
                )
            return
        caps = self.caps
        if caps or self.webhook:
            # Reserving caps and calling a webhook are side effects: a replayed key must not reach them.
            known = _keys_known(self.tenant.pk, [w.key for w in wanted])
            wanted = [w for w in wanted if w.key not in known] if known else wanted
        self._reserve(wanted, caps)
        answers = self._invoke(wanted, dispatch) if self.webhook else {}
        recipients = [
            Recipient(
                key=w.key,
                endpoint_id=w.endpoint.endpoint_id,
                user_id=w.endpoint.user_id,
                status=w.status,
                reason=w.reason,
            )
            for w in wanted
        ]
        inserted = deliveries_enqueue_bulk(dispatch=dispatch, recipients=recipients, send=not self.webhook)
        new = [w for w in wanted if w.key in inserted]
        if self.webhook and new:
            self._record_calls(dispatch, new)
        by_index: dict[int, list[Want]] = defaultdict(list)
        for w in new:
            by_index[w.index].append(w)
        for index, carry in pending.items():
            outcomes[index] = self._outcome(steps[index], by_index.get(index, []), carry, answers)

    def _reserve(self, new: list[Want], caps: list[Cap]) -> None:
        if not caps or not new:
            return
        journey_id = str(self.batch.journey.pk)
        requests = [CapRequest(w.key, w.endpoint.endpoint_id, journey_id=journey_id) for w in new]
        granted = caps_reserve(tenant=self.tenant, requests=requests, caps=caps, now=self.batch.now)
        for w in new:
            if w.key not in granted:
                w.status, w.reason = Status.SKIPPED, Reason.CAP

    def _invoke(self, new: list[Want], dispatch: Dispatch) -> dict[str, Answer]:
        """Call the webhook for the sendable messages; their rows become sent or failed."""
        sendable = [w for w in new if w.status == Status.QUEUED]
        if not sendable:
            return {}
        raw = ((dispatch.message or {}).get("content") or {}).get("Data")
        data = raw if isinstance(raw, str) else json.dumps(raw or {}, ensure_ascii=False)
        call = Call(self.webhook, self.tenant.public_id, str(self.batch.journey.pk), self.aid, data)
        ids = [w.endpoint.endpoint_id for w in sendable]
        full = {e.endpoint_id: e for e in Endpoint.objects.filter(tenant_id=self.tenant.pk, endpoint_id__in=ids)}
        custom_invoke(
            tenant_id=self.tenant.pk,
            call=call,
            endpoints=[full[i] for i in ids if i in full],
            keys={w.endpoint.endpoint_id: w.key for w in sendable},
            now=self.batch.now,
        )
        for w in sendable:
            answer = call.answers.get(w.endpoint.endpoint_id) or Answer(False, error="not called")
            if answer.ok:
                w.status = Status.SENT
            else:
                w.status = Status.FAILED
                w.reason = Reason.PROVIDER_REJECTED if 400 <= answer.status < 500 else Reason.PROVIDER_ERROR
        return call.answers

    def _record_calls(self, dispatch: Dispatch, new: list[Want]) -> None:
        """Webhook rows were settled here, not by a send task: stamp sent_at and record their send events."""
        now = self.batch.now
        by_key = {w.key: w for w in new if w.status in (Status.SENT, Status.FAILED)}
        if not by_key:
            return
        Delivery.objects.filter(tenant_id=self.tenant.pk, key__in=list(by_key), status=Status.SENT).update(sent_at=now)
        rows = Delivery.objects.filter(tenant_id=self.tenant.pk, key__in=list(by_key)).values_list("id", "key")
        written = [
            Written(
                pk,
                by_key[key].endpoint.endpoint_id,
                by_key[key].endpoint.user_id,
                by_key[key].endpoint.address,
                by_key[key].status,
                by_key[key].reason,
            )
            for pk, key in rows
        ]
        delivery_events_record(dispatch=dispatch, rows=written, now=now)

    def _outcome(self, step: Step, mine: list[Want], carry: Pending, answers: dict[str, Answer]) -> Outcome:
        counts = list(carry.counts)
        data = dict(carry.data)
        sent = [w for w in mine if w.status in (Status.QUEUED, Status.SENT)]
        counts += [(self.aid, "sent")] * len(sent)
        for w in mine:
            if w.status not in (Status.QUEUED, Status.SENT):
                counts += [(self.aid, f"not_sent:{w.reason}"), ("", f"not_sent:{w.reason}")]
        if self.webhook and mine:
            responses = dict((step.participant.data or {}).get("responses") or {})
            responses[self.aid] = response_record(
                [answers[w.endpoint.endpoint_id] for w in mine if w.endpoint.endpoint_id in answers]
            )
            data["responses"] = responses
        if mine and not sent:
            word = f"not_sent:{mine[0].reason or mine[0].status}"
        elif self.webhook and mine:
            word = "sent" if any(w.status == Status.SENT for w in mine) else "failed"
        else:
            word = "sent" if sent or not mine else "not_sent"
        return Outcome(self.next, outcome=word, counts=counts, data=data or None)


def _keys_known(tenant_id: int, keys: list[str]) -> set[str]:
    """The keys already in the ledger (a replayed step); one index probe each, keys bound as one array."""
    if connection.vendor != "postgresql":
        return set(Delivery.objects.filter(tenant_id=tenant_id, key__in=keys).values_list("key", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM channels_delivery WHERE tenant_id = %s AND key = ANY(%s)", [tenant_id, keys])
        return {row[0] for row in cursor.fetchall()}
