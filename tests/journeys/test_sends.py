"""The send activities run directly on batches (as the advancer hands them over): recipients, the one dispatch,
ledger keys, templates, caps and the journey's messages-per-second."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campaigns.journeys.engine.sends import sends_execute
from channels.models import Delivery, Dispatch, Reason, Status
from channels.ratelimit import source_limiter_for
from engage import clock
from engage.tenancy.models import Tenant
from tests.journeys.send_support import batch, email_template, endpoint, journey, participant, send_all, sms_template

pytestmark = pytest.mark.django_db


def email_activity(**extra: object) -> dict[str, object]:
    return {
        "EMAIL": {"TemplateName": "welcome", "MessageConfig": {"FromAddress": "shop@example.com"},
                  "NextActivity": "wait", **extra},
    }  # fmt: skip


def email_journey(tenant: Tenant, **settings: object) -> object:
    wait = {"Wait": {"WaitTime": {"WaitFor": "P1D"}}}
    return journey(tenant, {"send": email_activity(), "wait": wait}, "send", **settings)


def test_it_sends_the_template_to_each_participant_through_the_sandbox(tenant: Tenant) -> None:
    email_template(tenant)
    for i in range(3):
        endpoint(tenant, f"e{i}", "EMAIL", f"p{i}@example.com", user_id=f"u{i}")
    j = email_journey(tenant)
    people = [participant(j, f"e{i}", "send") for i in range(3)]
    outcomes = sends_execute(batch(j, "send", people))
    assert [o.next_activity for o in outcomes] == ["wait"] * 3
    assert [o.outcome for o in outcomes] == ["sent"] * 3
    assert all(("send", "sent") in o.counts for o in outcomes)
    keys = set(Delivery.objects.filter(tenant=tenant).values_list("key", flat=True))
    assert keys == {f"j{j.pk}:{p.pk}:send" for p in people}
    dispatch = Dispatch.objects.get(tenant=tenant)
    assert (dispatch.source, dispatch.journey_id, dispatch.activity_id, dispatch.run_id) == (
        "journey", str(j.pk), "send", "1",
    )  # fmt: skip
    assert dispatch.message["options"]["FromAddress"] == "shop@example.com"
    send_all(tenant)
    sent = Delivery.objects.get(tenant=tenant, endpoint_id="e1")
    assert sent.status == Status.SENT
    assert sent.payload["Subject"] == "Hi u1"


def test_a_replayed_step_sends_nothing_twice_and_reuses_the_dispatch(tenant: Tenant) -> None:
    email_template(tenant)
    endpoint(tenant, "e0", "EMAIL", "p0@example.com")
    endpoint(tenant, "e1", "EMAIL", "p1@example.com")
    j = email_journey(tenant)
    first = participant(j, "e0", "send")
    sends_execute(batch(j, "send", [first]))
    again = sends_execute(batch(j, "send", [first]))
    assert again[0].counts == [] and again[0].next_activity == "wait"
    sends_execute(batch(j, "send", [participant(j, "e1", "send")]))
    assert Delivery.objects.filter(tenant=tenant).count() == 2
    assert Dispatch.objects.filter(tenant=tenant).count() == 1


def test_a_user_participant_gets_every_endpoint_of_the_channel(tenant: Tenant) -> None:
    email_template(tenant)
    endpoint(tenant, "home", "EMAIL", "ann@home.example", user_id="ann")
    endpoint(tenant, "work", "EMAIL", "ann@work.example", user_id="ann")
    endpoint(tenant, "phone", "SMS", "+12025550100", user_id="ann")
    endpoint(tenant, "gone", "EMAIL", "ann@old.example", user_id="ann", OptOut="ALL")
    j = email_journey(tenant)
    ann = participant(j, "ann", "send", kind="user")
    [outcome] = sends_execute(batch(j, "send", [ann]))
    assert outcome.counts.count(("send", "sent")) == 3
    rows = dict(Delivery.objects.filter(tenant=tenant).values_list("endpoint_id", "key"))
    assert rows == {e: f"j{j.pk}:{ann.pk}:send:{e}" for e in ("home", "work", "gone")}
    send_all(tenant)
    statuses = dict(Delivery.objects.filter(tenant=tenant).values_list("endpoint_id", "reason"))
    assert statuses == {"home": "", "work": "", "gone": Reason.OPT_OUT}  # the send screen refuses the opted-out one


def test_a_participant_without_an_endpoint_of_the_channel_moves_on_unsent(tenant: Tenant) -> None:
    email_template(tenant)
    endpoint(tenant, "phone", "SMS", "+12025550100")
    j = email_journey(tenant)
    [outcome] = sends_execute(batch(j, "send", [participant(j, "phone", "send")]))
    assert outcome.next_activity == "wait"
    assert ("send", "not_sent:unsupported_channel") in outcome.counts
    assert not Delivery.objects.filter(tenant=tenant).exists()


def test_another_tenants_template_is_not_usable(tenant: Tenant, other_tenant: Tenant) -> None:
    email_template(other_tenant)
    endpoint(tenant, "e0", "EMAIL", "p0@example.com")
    j = email_journey(tenant)
    p = participant(j, "e0", "send")
    [outcome] = sends_execute(batch(j, "send", [p]))
    assert outcome.outcome == "not_sent:rendering_failure"
    assert "welcome" in outcome.data["not_sent"]["send"]
    assert not Delivery.objects.filter(tenant=tenant).exists()
    assert not Dispatch.objects.filter(tenant=tenant).exists()


def test_the_daily_cap_counts_every_journey_and_frees_up_after_a_day(tenant: Tenant) -> None:
    email_template(tenant)
    endpoint(tenant, "e0", "EMAIL", "p0@example.com")
    first = email_journey(tenant, Limits={"DailyCap": 1})
    second = email_journey(tenant, Limits={"DailyCap": 1})
    assert sends_execute(batch(first, "send", [participant(first, "e0", "send")]))[0].outcome == "sent"
    [capped] = sends_execute(batch(second, "send", [participant(second, "e0", "send")]))
    assert capped.outcome == "not_sent:cap"
    assert ("send", "not_sent:cap") in capped.counts and ("", "not_sent:cap") in capped.counts
    assert Delivery.objects.get(tenant=tenant, dispatch__journey_id=str(second.pk)).reason == Reason.CAP
    clock.advance(seconds=timedelta(hours=25).total_seconds())
    again = participant(second, "e0", "send", entry=2)
    assert sends_execute(batch(second, "send", [again]))[0].outcome == "sent"


def test_the_tenant_default_caps_apply_and_total_cap_counts_one_journey(tenant: Tenant) -> None:
    tenant.journey_timeframe_cap, tenant.journey_timeframe_days = 5, 7
    tenant.save()
    email_template(tenant)
    endpoint(tenant, "e0", "EMAIL", "p0@example.com")
    j = email_journey(tenant, Limits={"TotalCap": 1})
    assert sends_execute(batch(j, "send", [participant(j, "e0", "send")]))[0].outcome == "sent"
    clock.advance(seconds=timedelta(days=10).total_seconds())
    [capped] = sends_execute(batch(j, "send", [participant(j, "e0", "send", entry=2)]))
    assert capped.outcome == "not_sent:cap"
    other = email_journey(tenant)
    for n in range(5):
        sends_execute(batch(other, "send", [participant(other, "e0", "send", entry=n + 1)]))
    [framed] = sends_execute(batch(other, "send", [participant(other, "e0", "send", entry=9)]))
    assert framed.outcome == "not_sent:cap"  # 5 per 7 days across journeys (the tenant's default time frame)


def test_sms_options_and_the_journey_rate_reach_the_dispatch(tenant: Tenant) -> None:
    sms_template(tenant)
    endpoint(tenant, "p0", "SMS", "+12025550100")
    config = {"MessageType": "PROMOTIONAL", "OriginationNumber": "+12025550199", "EntityId": "E1", "TemplateId": "T1"}
    activity = {"SMS": {"TemplateName": "nudge", "TemplateVersion": "1", "MessageConfig": config}}
    j = journey(tenant, {"sms": activity}, "sms", Limits={"MessagesPerSecond": 75})
    [outcome] = sends_execute(batch(j, "sms", [participant(j, "p0", "sms")]))
    assert outcome.next_activity is None and outcome.outcome == "sent"
    dispatch = Dispatch.objects.get(tenant=tenant)
    assert dispatch.message["options"] == config
    assert dispatch.message["messages_per_second"] == 75
    limiter = source_limiter_for(dispatch)
    assert limiter is not None and limiter.keys[0] == f"engage:rate:{tenant.pk}:journey:{j.pk}:grants"
    send_all(tenant)
    assert Delivery.objects.get(tenant=tenant).payload["Body"] == "We miss you "


def _ledger(tenant: Tenant, j: object, people: list[object]) -> set[tuple[str, str, str, str]]:
    """(participant key, endpoint, key suffix after the activity, status) of one journey's rows."""
    names = {f"j{j.pk}:{p.pk}:send": p.key for p in people}  # type: ignore[attr-defined]
    out = set()
    for endpoint_id, key, status in Delivery.objects.filter(tenant=tenant, key__startswith=f"j{j.pk}:").values_list(
        "endpoint_id", "key", "status"
    ):
        prefix = next(p for p in names if key.startswith(p))
        out.add((names[prefix], endpoint_id, key[len(prefix) :], status))
    return out


def test_the_set_based_plan_and_the_per_participant_plan_agree(tenant: Tenant) -> None:
    """Both ways of planning a send step give the same outcomes and ledger rows, long endpoint ids included."""
    from campaigns.journeys.engine.sends import SendActivity

    email_template(tenant)
    long_id = "x" * 250
    endpoint(tenant, "e0", "EMAIL", "p0@example.com")
    endpoint(tenant, "sms-only", "SMS", "+12025550100")
    endpoint(tenant, "home", "EMAIL", "ann@home.example", user_id="ann")
    endpoint(tenant, long_id, "EMAIL", "ann@long.example", user_id="ann")
    endpoint(tenant, "phone", "SMS", "+12025550101", user_id="ann")
    endpoint(tenant, "bob-phone", "SMS", "+12025550102", user_id="bob")
    results = []
    for run in ("_run_set", "_run_each"):
        j = email_journey(tenant)
        people = [
            participant(j, "e0", "send"),
            participant(j, "sms-only", "send"),
            participant(j, "missing", "send"),
            participant(j, "ann", "send", kind="user"),
            participant(j, "bob", "send", kind="user"),
        ]
        outcomes = getattr(SendActivity(batch(j, "send", people)), run)()
        replayed = getattr(SendActivity(batch(j, "send", people[:1])), run)()
        results.append(
            (
                [(o.next_activity, o.outcome, sorted(o.counts), o.data) for o in [*outcomes, *replayed]],
                _ledger(tenant, j, people),
            )
        )
    assert results[0] == results[1]
    outcomes, ledger = results[0]
    assert [o[1] for o in outcomes] == ["sent", "not_sent:unsupported_channel", "not_sent:no_endpoint", "sent",
                                        "not_sent:unsupported_channel", "sent"]  # fmt: skip
    assert outcomes[3][2] == [("send", "sent"), ("send", "sent")] and outcomes[5][2] == []
    long_suffix = next(s for _, e, s, _ in ledger if e == long_id)
    assert long_suffix.startswith(":#") and len(long_suffix) == 42
    assert {(p, e) for p, e, _, _ in ledger} == {("e0", "e0"), ("ann", "home"), ("ann", long_id)}
