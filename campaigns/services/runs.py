"""Starting runs, holding and releasing their ledger rows, and finishing them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q

from campaigns.models import Campaign, CampaignRun
from campaigns.schedule import next_due, scheduled_for
from campaigns.schedule_groups import DEFAULT, group_next_due, group_treatments
from channels.models import Delivery, Dispatch, Reason, Source, Status
from channels.models.ledger import PENDING_STATUSES

OPEN = (CampaignRun.Status.PLANNING, CampaignRun.Status.SENDING)
# A local-time occurrence is reached last by UTC-12.
LATEST_OFFSET = timedelta(hours=12)
# An event campaign's run is a UTC day; a batch arriving just before midnight may make its dispatch just after.
TRIGGER_DAY = timedelta(days=1, hours=1)


def run_start(*, campaign: Campaign, now: datetime) -> CampaignRun | None:
    """Start the occurrence due now (the campaign locked by the caller): one run per (campaign, scheduled time),
    so a repeated or late tick starts nothing twice; a tick that missed several occurrences starts one."""
    if campaign.next_run_at is None or campaign.next_run_at > now:
        return None
    if campaign.schedule_next:
        return _groups_start(campaign, now)
    at = campaign.next_run_at if campaign.start_immediate else scheduled_for(campaign, campaign.next_run_at)
    run, created = CampaignRun.objects.get_or_create(
        campaign=campaign,
        scheduled_for=at,
        defaults={"tenant_id": campaign.tenant_id, "created_at": now, "expires_at": _expiry(campaign, at)},
    )
    campaign.next_run_at = None if campaign.start_immediate else next_due(campaign, after=now)
    campaign.status = Campaign.Status.EXECUTING
    campaign.save(update_fields=["next_run_at", "status", "updated_at"])
    if created:
        from campaigns.tasks import plan_enqueue

        transaction.on_commit(lambda: plan_enqueue(campaign.tenant_id, run.pk))
    return run if created else None


def _groups_start(campaign: Campaign, now: datetime) -> CampaignRun | None:
    """With per-treatment schedules: start each due group's occurrence (groups due at the same scheduled time share
    one run), each group then waiting for its own next occurrence; the campaign's next_run_at is the earliest."""
    due: dict[datetime, list[str]] = defaultdict(list)
    for group, value in sorted(campaign.schedule_next.items()):
        if value is None or datetime.fromisoformat(value) > now:
            continue
        at = datetime.fromisoformat(value)
        due[at if group == DEFAULT and campaign.start_immediate else scheduled_for(campaign, at)].append(group)
        campaign.schedule_next[group] = group_next_due(campaign, group, after=now)
    started = None
    for at, groups in sorted(due.items()):
        if not group_treatments(campaign, groups):
            continue  # a group whose treatment was edited away
        run, created = CampaignRun.objects.get_or_create(
            campaign=campaign,
            scheduled_for=at,
            defaults={
                "tenant_id": campaign.tenant_id,
                "created_at": now,
                "expires_at": _expiry(campaign, at),
                "treatments": group_treatments(campaign, groups),
            },
        )
        if created:
            from campaigns.tasks import plan_enqueue

            transaction.on_commit(lambda r=run: plan_enqueue(campaign.tenant_id, r.pk))  # type: ignore[misc]
            started = started or run
    upcoming = [datetime.fromisoformat(v) for v in campaign.schedule_next.values() if v]
    campaign.next_run_at = min(upcoming) if upcoming else None
    campaign.status = Campaign.Status.EXECUTING
    campaign.save(update_fields=["next_run_at", "schedule_next", "status", "updated_at"])
    return started


def _expiry(campaign: Campaign, at: datetime) -> datetime | None:
    seconds = campaign.maximum_duration or campaign.tenant.campaign_max_duration
    if not seconds:
        return None
    return at + (LATEST_OFFSET if campaign.is_local_time else timedelta(0)) + timedelta(seconds=seconds)


def run_dispatch_ids(runs: list[CampaignRun]) -> list[int]:
    """The runs' dispatches: listed on scheduled runs; an event campaign's day has one per event batch, found by
    run id among the campaign dispatches created that day (an indexed range)."""
    ids = [int(d) for run in runs for d in (run.dispatches or {}).values()]
    query = Q()
    for run in runs:
        if run.triggered:
            day = run.scheduled_for
            query |= Q(
                tenant_id=run.tenant_id,
                source=Source.CAMPAIGN,
                created_at__gte=day,
                created_at__lt=day + TRIGGER_DAY,
                run_id=str(run.pk),
            )
    if query:
        ids += list(Dispatch.objects.filter(query).values_list("pk", flat=True))
    return ids


def runs_hold(*, campaign: Campaign, now: datetime) -> int:
    """Pausing: queued rows of the campaign's open runs are held (released by the tick once resumed)."""
    runs = list(CampaignRun.objects.filter(campaign=campaign, status__in=OPEN))
    return Delivery.objects.filter(dispatch_id__in=run_dispatch_ids(runs), status=Status.QUEUED).update(
        status=Status.HELD, not_before=now, updated_at=now
    )


def runs_stop(*, campaign: Campaign, now: datetime) -> int:
    """Stopping: what is not sent yet expires, and in-flight claims find their dispatch expired."""
    runs = list(CampaignRun.objects.filter(campaign=campaign, status__in=OPEN))
    ids = run_dispatch_ids(runs)
    Dispatch.objects.filter(pk__in=ids).update(expires_at=now)
    expired = Delivery.objects.filter(dispatch_id__in=ids, status__in=[Status.QUEUED, Status.HELD]).update(
        status=Status.EXPIRED, reason=Reason.EXPIRED, status_message="the campaign was stopped", updated_at=now
    )
    for run in runs:
        run.status, run.completed_at, run.counts = CampaignRun.Status.STOPPED, now, run_counts(run=run)
        run.save(update_fields=["status", "completed_at", "counts"])
    return expired


def held_release(*, now: datetime) -> int:
    """Re-queue held rows (quiet time, local time, pause) whose time has come, for campaigns that are not paused,
    and enqueue their chunks."""
    from channels.tasks import chunk_enqueue

    runs = list(
        CampaignRun.objects.filter(status__in=OPEN)
        .exclude(campaign__status=Campaign.Status.PAUSED)
        .only("dispatches", "tenant_id", "triggered", "scheduled_for")
    )
    rows = Delivery.objects.filter(dispatch_id__in=run_dispatch_ids(runs), status=Status.HELD, not_before__lte=now)
    chunks = set(rows.values_list("tenant_id", "dispatch_id", "chunk").distinct().order_by())
    if not chunks:
        return 0
    with transaction.atomic():
        released = rows.update(status=Status.QUEUED, reason="", updated_at=now)
        for tenant_id, dispatch_id, chunk in sorted(chunks):
            transaction.on_commit(lambda t=tenant_id, d=dispatch_id, c=chunk: chunk_enqueue(t, d, c))  # type: ignore[misc]
    return released


def run_counts(*, run: CampaignRun) -> dict[str, int]:
    """Ledger rows of the run by status (one grouped query)."""
    rows = Delivery.objects.filter(dispatch_id__in=run_dispatch_ids([run])).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows.order_by()}


def runs_complete(*, now: datetime) -> int:
    """Finish planned runs whose ledger rows are all terminal; the campaign then waits for its next run or ends."""
    done = 0
    for run in CampaignRun.objects.filter(status=CampaignRun.Status.SENDING).select_related("campaign"):
        if run.triggered and run.scheduled_for + TRIGGER_DAY > now and run.campaign.status in Campaign.ACTIVE:
            continue  # an event campaign's day is not over: more events may come
        ids = run_dispatch_ids([run])
        if Delivery.objects.filter(dispatch_id__in=ids, status__in=PENDING_STATUSES).exists():
            continue
        with transaction.atomic():
            campaign = Campaign.objects.select_for_update().get(pk=run.campaign_id)
            run.status, run.completed_at, run.counts = CampaignRun.Status.COMPLETED, now, run_counts(run=run)
            run.save(update_fields=["status", "completed_at", "counts"])
            still_open = CampaignRun.objects.filter(campaign=campaign, status__in=OPEN).exists()
            if campaign.status == Campaign.Status.EXECUTING and not still_open:
                pending = campaign.next_run_at is not None
                campaign.status = Campaign.Status.PENDING_NEXT_RUN if pending else Campaign.Status.COMPLETED
                campaign.save(update_fields=["status", "updated_at"])
        done += 1
    return done


def campaigns_start_due(*, now: datetime) -> int:
    """Start every due occurrence of scheduled campaigns (each in its own transaction, skipping locked ones)."""
    due = Campaign.objects.filter(
        status__in=Campaign.ACTIVE,
        is_paused=False,
        next_run_at__lte=now,
    ).values_list("pk", flat=True)[:1000]
    started = 0
    for pk in list(due):
        with transaction.atomic():
            campaign = (
                Campaign.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("tenant")
                .filter(pk=pk, next_run_at__lte=now)
                .first()
            )
            if campaign is not None and campaign.status in Campaign.ACTIVE:
                started += run_start(campaign=campaign, now=now) is not None
    return started


def event_campaigns_end(*, now: datetime) -> int:
    """Event-triggered campaigns whose end time passed are completed (and disarmed everywhere)."""
    from campaigns.services.triggers import triggers_bump

    ended = Campaign.objects.filter(
        frequency=Campaign.Frequency.EVENT, status__in=Campaign.ACTIVE, end_time__isnull=False, end_time__lte=now
    )
    done = 0
    for campaign in ended.only("pk", "tenant_id"):
        with transaction.atomic():
            done += Campaign.objects.filter(pk=campaign.pk, status__in=Campaign.ACTIVE).update(
                status=Campaign.Status.COMPLETED, updated_at=now
            )
            triggers_bump(tenant_id=campaign.tenant_id)
    return done
