"""Journeys: the definition as written (Pinpoint's WriteJourneyRequest JSON, normalised), its published versions,
the participants travelling through a version, and per-activity counters.

A participant is one row that moves: its current activity, when it wakes next and how many steps it has taken.
The advancer claims due rows with SELECT ... FOR UPDATE SKIP LOCKED and moves each one step inside one transaction
(the step counter makes a replayed step a no-op), so any number of workers can run it and none takes a step twice.
"""

from __future__ import annotations

from django.db import models

from engage.tenancy.models import TenantScopedModel


class Journey(TenantScopedModel):
    class State(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        ACTIVE = "ACTIVE", "Active"
        PAUSED = "PAUSED", "Paused"
        COMPLETED = "COMPLETED", "Completed"
        CLOSED = "CLOSED", "Closed"
        CANCELLED = "CANCELLED", "Stopped"

    class TestWait(models.TextChoices):
        SKIP = "skip", "Skip all waits"
        CUSTOM = "custom", "Custom wait time"

    # States in which participants still move (CLOSED: no new entries, those inside finish).
    RUNNING = (State.ACTIVE, State.CLOSED)

    name = models.CharField(max_length=150)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    # The draft: WriteJourneyRequest without Name/State/CreationDate/LastModifiedDate (campaigns.journeys.definition).
    definition = models.JSONField(default=dict, blank=True)
    # The published version new participants enter (0 = never published).
    version = models.PositiveIntegerField(default=0)
    tags = models.JSONField(default=dict, blank=True)
    # Entry, denormalised from the published definition for the trigger index and the segment usage check.
    segment = models.ForeignKey("segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entry_event = models.CharField(max_length=100, blank=True, help_text="event type of an event-triggered journey")
    # Test mode: a copy of another journey, entered by a test segment, with waits skipped or shortened.
    test_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="tests")
    test_wait = models.CharField(max_length=8, choices=TestWait.choices, blank=True)
    test_wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Lifecycle times: entries start at starts_at (publish + delay, or Schedule.StartTime), stop at ends_at.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True, help_text="a resume asked for takes effect then")
    # Segment entry: when the segment was last read for entries, how often, and when next.
    next_entry_at = models.DateTimeField(null=True, blank=True)
    refreshes = models.PositiveIntegerField(default=0)
    entry_read_at = models.DateTimeField(null=True, blank=True, help_text="when the last segment entry pass ran")
    # The segment version read at the first pass: criteria stay frozen unless RefreshOnSegmentUpdate.
    segment_version = models.PositiveIntegerField(null=True, blank=True)
    # Review recommendations marked as reviewed in the builder: {"keys": [...], "fingerprint": <definition hash>};
    # the keys only hold while the definition keeps that fingerprint (campaigns.journeys.services.reviewed).
    reviewed = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "state"], name="journey_tenant_state"),
            models.Index(fields=["next_entry_at"], condition=models.Q(state="ACTIVE"), name="journey_entry_due"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def can_edit(self) -> bool:
        return self.state == self.State.DRAFT


class JourneyVersion(TenantScopedModel):
    """A published definition. Participants keep the version they entered; an edit of an active journey publishes
    a new one that only new participants get."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["journey", "-number"]
        constraints = [models.UniqueConstraint(fields=["journey", "number"], name="journeyversion_unique")]

    def __str__(self) -> str:
        return f"{self.journey_id} v{self.number}"


class Participant(TenantScopedModel):
    """An endpoint (or a user: all endpoints of a UserId travel together) on its way through one journey version."""

    class Kind(models.TextChoices):
        ENDPOINT = "endpoint", "Endpoint"
        USER = "user", "User"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"  # due at wake_at (now, for a step that runs at once)
        DONE = "done", "Left the journey"

    id = models.BigAutoField(primary_key=True)
    # No single-column indexes on the foreign keys: participant_key (tenant, key) and participant_activity (journey,
    # activity, state) lead with them, and every step rewrites the row in each index.
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="participants", db_index=False)
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ENDPOINT)
    key = models.CharField(max_length=256, help_text="endpoint id, or user id for a user participant")
    entry = models.PositiveIntegerField(default=1, help_text="1 for the first entry of this key, 2 for a re-entry...")
    activity = models.CharField(max_length=100, help_text="the activity it is at (the last one once done)")
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    wake_at = models.DateTimeField(null=True, blank=True)
    step = models.PositiveIntegerField(default=0, help_text="steps taken; a claim carries it, a stale one is void")
    entered_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    exited_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=32, blank=True)
    # [[activity, iso time, outcome], ...]: where it went and why (the participant lookup shows it).
    trail = models.JSONField(default=list, blank=True)
    # Per-participant facts later activities read: custom-channel responses, the estimated time zone...
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journey", "key", "entry"], name="participant_unique_entry")]
        indexes = [
            # The advancer claims a journey's due participants in wake order: one index range scan per journey.
            models.Index(fields=["journey", "wake_at"], condition=models.Q(state="waiting"), name="participant_due"),
            models.Index(fields=["journey", "activity", "state"], name="participant_activity"),
            models.Index(fields=["tenant", "key"], name="participant_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} in journey {self.journey_id}"


class ActivityCount(TenantScopedModel):
    """A counter: (journey, activity, metric) → count. Journey-level metrics use activity "". Metric names:
    entered, completed, sent, not_sent:<reason>, branch:<next activity id>, exited:<reason>, waiting_done..."""

    id = models.BigAutoField(primary_key=True)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="counts")
    activity = models.CharField(max_length=100, blank=True)
    metric = models.CharField(max_length=140)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["journey", "activity", "metric"], name="activitycount_unique")]

    def __str__(self) -> str:
        return f"{self.journey_id}/{self.activity or '*'} {self.metric}={self.count}"


class EntryRefusal(TenantScopedModel):
    """Why a key (endpoint or user id) was refused entry to a journey: one row per (journey, key, reason) holding
    the first and the latest refusal and how many there were, so a key's history stays small. Rows older than the
    tenant's delivery retention period are pruned when the journey records refusals again."""

    id = models.BigAutoField(primary_key=True)
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="refusals")
    kind = models.CharField(max_length=8, choices=Participant.Kind.choices, default=Participant.Kind.ENDPOINT)
    key = models.CharField(max_length=256, help_text="endpoint id, or user id for a user participant")
    reason = models.CharField(max_length=32, help_text="reentry_cap, in_journey, reentry_interval...")
    first_at = models.DateTimeField()
    at = models.DateTimeField(help_text="the latest refusal")
    times = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["journey", "key", "reason"], name="entryrefusal_unique"),
        ]
        indexes = [models.Index(fields=["journey", "at"], name="entryrefusal_at")]

    def __str__(self) -> str:
        return f"{self.key} refused from journey {self.journey_id}: {self.reason}"
