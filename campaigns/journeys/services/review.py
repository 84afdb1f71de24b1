"""Reviewing a journey before it is published: errors (which block publishing) and recommendations (which do not),
each naming the activity and member to fix so the builder can jump to it. The definition is assumed to have
passed definition_check once; segments and templates are looked up again, as they may have gone since."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from campaigns.journeys.definition_activities import template_of
from campaigns.journeys.graph import SEND_KINDS, activities_walk, activity_kind
from campaigns.journeys.services.review_graph import ancestors, cycle_issues, link_issues
from campaigns.models import Journey
from engage import clock
from engage.tenancy.models import Tenant
from segments.models import Segment


@dataclass(frozen=True)
class Issue:
    activity: str  # "" for the journey's own settings
    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"activity": self.activity, "field": self.field, "message": self.message}


@dataclass
class Review:
    errors: list[Issue] = field(default_factory=list)
    recommendations: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [i.as_json() for i in self.errors],
            "recommendations": [i.as_json() for i in self.recommendations],
        }


def event_type_of(definition: dict[str, Any]) -> str:
    """The one event type an event-triggered journey starts on ("" when it is not one, or names none or several)."""
    start = (definition.get("StartCondition") or {}).get("EventStartCondition") or {}
    event_type = ((start.get("EventFilter") or {}).get("Dimensions") or {}).get("EventType") or {}
    values = event_type.get("Values") or []
    return values[0] if len(values) == 1 and event_type.get("DimensionType", "INCLUSIVE") == "INCLUSIVE" else ""


def is_event_journey(definition: dict[str, Any]) -> bool:
    return bool((definition.get("StartCondition") or {}).get("EventStartCondition"))


def _segment_ok(tenant: Tenant, segment_id: Any) -> bool:
    return bool(segment_id) and Segment.objects.for_tenant(tenant).filter(public_id=str(segment_id)).exists()


def _entry_issues(tenant: Tenant, definition: dict[str, Any]) -> list[Issue]:
    start = definition.get("StartCondition") or {}
    if start.get("SegmentStartCondition"):
        if not _segment_ok(tenant, start["SegmentStartCondition"].get("SegmentId")):
            return [Issue("", "StartCondition.SegmentStartCondition.SegmentId", "the entry segment no longer exists")]
        return []
    if not start.get("EventStartCondition"):
        return [Issue("", "StartCondition", "choose how participants enter: from a segment or when an event happens")]
    found = []
    event = start["EventStartCondition"]
    if not event_type_of(definition):
        found.append(
            Issue(
                "",
                "StartCondition.EventStartCondition.EventFilter.Dimensions.EventType",
                "name the one event type (INCLUSIVE) that adds a participant",
            )
        )
    if event.get("SegmentId") and not _segment_ok(tenant, event["SegmentId"]):
        found.append(Issue("", "StartCondition.EventStartCondition.SegmentId", "the segment no longer exists"))
    if definition.get("LocalTime"):
        found.append(Issue("", "LocalTime", "an event-triggered journey cannot send in each recipient's local time"))
    return found


def _send_issues(tenant: Tenant, activity_id: str, kind: str, body: dict[str, Any]) -> list[Issue]:
    path = f"Activities.{activity_id}.{kind}"
    name = body.get("TemplateName")
    if kind == "CUSTOM":
        if not body.get("DeliveryUri"):
            return [Issue(activity_id, f"{path}.DeliveryUri", "give the https:// URL of the webhook to call")]
        return []
    label = "in-app" if kind == "INAPP" else kind
    if not name:
        return [Issue(activity_id, f"{path}.TemplateName", f"choose the {label} template to send")]
    template = template_of(tenant, kind, name)
    if template is None:
        return [Issue(activity_id, f"{path}.TemplateName", f"there is no {label} template named “{name}” any more")]
    version = body.get("TemplateVersion")
    if version and not template.versions.filter(number=int(version)).exists():
        return [Issue(activity_id, f"{path}.TemplateVersion", f"“{name}” has no version {version} any more")]
    return []


def _conditions(kind: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if kind == "ConditionalSplit":
        conditions = (body.get("Condition") or {}).get("Conditions") or []
        return [(f"Condition.Conditions[{i}]", c) for i, c in enumerate(conditions)]
    return [(f"Branches[{i}].Condition", b.get("Condition") or {}) for i, b in enumerate(body.get("Branches") or [])]


def _split_issues(
    tenant: Tenant, activity_id: str, kind: str, body: dict[str, Any], definition: dict[str, Any]
) -> list[Issue]:
    path = f"Activities.{activity_id}.{kind}"
    if kind == "ConditionalSplit" and not (body.get("Condition") or {}).get("Conditions"):
        return [Issue(activity_id, f"{path}.Condition", "give the condition that decides between yes and no")]
    if kind == "MultiCondition" and not body.get("Branches"):
        return [Issue(activity_id, f"{path}.Branches", "add at least one branch with its condition")]
    found = []
    upstream = ancestors(definition, activity_id)
    for where, condition in _conditions(kind, body):
        if not condition:
            found.append(Issue(activity_id, f"{path}.{where}", "give this branch its condition"))
        elif "SegmentCondition" in condition and not _segment_ok(tenant, condition["SegmentCondition"]["SegmentId"]):
            found.append(Issue(activity_id, f"{path}.{where}.SegmentCondition.SegmentId", "the segment is gone"))
        elif "EventCondition" in condition and condition["EventCondition"]["MessageActivity"] not in upstream:
            source = condition["EventCondition"]["MessageActivity"]
            found.append(
                Issue(
                    activity_id,
                    f"{path}.{where}.EventCondition.MessageActivity",
                    f"“{source}” does not come before this split: check engagement with a message sent earlier",
                )
            )
    return found


def _activity_issues(
    tenant: Tenant, activity_id: str, activity: dict[str, Any], definition: dict[str, Any]
) -> list[Issue]:
    kind = activity_kind(activity)
    body = activity.get(kind) or {}
    path = f"Activities.{activity_id}.{kind}"
    if kind in SEND_KINDS:
        return _send_issues(tenant, activity_id, kind, body)
    if kind == "ContactCenter":
        return [Issue(activity_id, path, "contact-center activities are out of scope in Engage; remove this one")]
    if kind == "Wait" and not (body.get("WaitTime") or {}):
        return [Issue(activity_id, f"{path}.WaitTime", "say how long to wait, or until when")]
    if kind in ("ConditionalSplit", "MultiCondition"):
        return _split_issues(tenant, activity_id, kind, body, definition)
    if kind == "":
        return [Issue(activity_id, f"Activities.{activity_id}", "choose what this activity does")]
    return []


def _quota_issues(tenant: Tenant, definition: dict[str, Any], journey: Journey | None) -> list[Issue]:
    live = Journey.objects.filter(tenant_id=tenant.pk, state__in=(Journey.State.ACTIVE, Journey.State.PAUSED))
    if journey is not None:
        live = live.exclude(pk=journey.pk)
    found = []
    limit = int(getattr(settings, "JOURNEYS_MAX_ACTIVE", 50))
    if live.count() >= limit:
        found.append(Issue("", "State", f"this project already has {limit} active journeys; stop one first"))
    event_limit = int(getattr(settings, "JOURNEYS_MAX_EVENT_JOURNEYS", 20))
    if is_event_journey(definition) and live.exclude(entry_event="").count() >= event_limit:
        found.append(
            Issue(
                "",
                "StartCondition",
                f"this project already has {event_limit} active event-triggered journeys; stop one first",
            )
        )
    return found


def _schedule_issues(definition: dict[str, Any]) -> list[Issue]:
    from campaigns.journeys.definition_fields import instant

    end = (definition.get("Schedule") or {}).get("EndTime")
    if end and instant(end, "Schedule.EndTime") <= clock.now():
        return [Issue("", "Schedule.EndTime", "the journey's end time has passed; move it later or remove it")]
    return []


def journey_review(*, tenant: Tenant, definition: dict[str, Any], journey: Journey | None = None) -> Review:
    """What stops the definition from being published (errors) and what would make it better (recommendations)."""
    from campaigns.journeys.services.review_advice import recommendations

    review = Review()
    activities = definition.get("Activities") or {}
    limit = int(getattr(settings, "JOURNEYS_MAX_ACTIVITIES", 40))
    if not activities:
        review.errors.append(Issue("", "Activities", "add at least one activity"))
    if len(activities) > limit:
        review.errors.append(Issue("", "Activities", f"a journey has at most {limit} activities; remove some"))
    start = definition.get("StartActivity")
    if activities and start not in activities:
        review.errors.append(Issue("", "StartActivity", "choose the first activity participants go to"))
    review.errors += _entry_issues(tenant, definition)
    review.errors += link_issues(definition) + cycle_issues(definition)
    reachable = {a for a, _ in activities_walk(definition)}
    for activity_id, activity in activities.items():
        if start in activities and activity_id not in reachable:
            review.errors.append(
                Issue(activity_id, f"Activities.{activity_id}", "no path leads here; connect it or delete it")
            )
        review.errors += _activity_issues(tenant, activity_id, activity, definition)
    review.errors += _schedule_issues(definition) + _quota_issues(tenant, definition, journey)
    review.recommendations = recommendations(tenant=tenant, definition=definition)
    return review
