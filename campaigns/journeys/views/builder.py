"""The builder page: the canvas the front end draws from the journey's WriteJourneyRequest JSON, the save endpoint
(the whole body to journey_update, errors back as JSON for the panel field they name), the review and live counts."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from campaigns.journeys.metrics import activity_counts
from campaigns.journeys.services.review import journey_review
from campaigns.journeys.services.reviewed import journey_reviewed_set, reviewed_keys
from campaigns.journeys.services.writes import journey_update
from campaigns.journeys.views.common import JourneyMixin, builder_options, entry_type, error_json
from campaigns.models import Journey
from engage.errors import DomainError, Invalid
from engage.tenancy.models import Capability
from segments.models import Segment

# States whose definition can still change: a draft in place, an active or paused journey as a new version.
EDITABLE = (Journey.State.DRAFT, Journey.State.ACTIVE, Journey.State.PAUSED)


def review_json(journey: Journey) -> dict[str, Any]:
    """The review of the journey's current definition as the builder's review pane reads it."""
    review = journey_review(tenant=journey.tenant, definition=journey.definition or {}, journey=journey)

    def issues(items: list[Any]) -> list[dict[str, str]]:
        return [{"activity": i.activity or "", "field": i.field or "", "message": i.message} for i in items]

    return {"errors": issues(review.errors), "recommendations": issues(review.recommendations)}


def body_of(journey: Journey) -> dict[str, Any]:
    """The WriteJourneyRequest the builder edits: the stored definition plus the name."""
    return {"Name": journey.name, **(journey.definition or {})}


def counts_of(journey: Journey) -> dict[str, dict[str, int]]:
    return activity_counts(journey=journey) if journey.version else {}


class JourneyBuilderView(JourneyMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        can_edit = self.can(Capability.EDIT) and journey.state in EDITABLE
        urls = {
            name: reverse(f"journeys:{name}", args=[tenant_id, journey.pk])
            for name in ("save", "review", "reviewed", "counts", "publish")
        }
        state = {
            "body": body_of(journey),
            "state": journey.state,
            "version": journey.version,
            "editable": can_edit,
            "draft": journey.state == Journey.State.DRAFT,
            "review": review_json(journey),
            "reviewed": reviewed_keys(journey=journey),
            "counts": counts_of(journey),
            "options": builder_options(self.tenant),
            "urls": urls,
        }
        context = {
            "journey": journey,
            "builder": state,
            "entry": entry_type(journey.definition or {}),
            "can_edit": self.can(Capability.EDIT),
            "live": journey.state in (*Journey.RUNNING, Journey.State.PAUSED),
            "test_segments": Segment.objects.for_tenant(self.tenant).order_by("name")[:200],
            "tabs": tabs(tenant_id, journey.pk, "builder"),
        }
        return render(request, "journeys/builder.html", context)


class JourneySaveView(JourneyMixin):
    """POST the whole WriteJourneyRequest JSON: the draft changes in place (an active journey gets a new version)."""

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        try:
            body = json.loads(request.body or b"null")
            if not isinstance(body, dict):
                raise Invalid("send the journey as one JSON object", field="")
            journey = journey_update(journey=journey, body=body, by=self.actor, ip=self.ip)
        except ValueError:
            return error_json(Invalid("the request body is not valid JSON"))
        except DomainError as exc:
            return error_json(exc)
        return JsonResponse(
            {
                "body": body_of(journey),
                "state": journey.state,
                "version": journey.version,
                "review": review_json(journey),
                "reviewed": reviewed_keys(journey=journey),
            }
        )


class JourneyReviewView(JourneyMixin):
    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        return JsonResponse(review_json(self.journey(pk)))


class JourneyReviewedView(JourneyMixin):
    """POST {"key": "<activity>|<field>|<message>", "reviewed": true|false}: keep a recommendation's review mark."""

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        try:
            body = json.loads(request.body or b"null")
            if not isinstance(body, dict) or not isinstance(body.get("key"), str) or not body["key"]:
                raise Invalid("send the recommendation's key", field="key")
            keys = journey_reviewed_set(
                journey=journey, key=body["key"], reviewed=body.get("reviewed", True) is not False, by=self.actor,
                ip=self.ip,
            )  # fmt: skip
        except ValueError:
            return error_json(Invalid("the request body is not valid JSON"))
        except DomainError as exc:
            return error_json(exc)
        return JsonResponse({"reviewed": keys})


class JourneyCountsView(JourneyMixin):
    """The live counts on the canvas (HTMX, polled every few seconds while participants move)."""

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        journey = self.journey(pk)
        context = {
            "journey": journey,
            "counts": counts_of(journey),
            "live": journey.state in (*Journey.RUNNING, Journey.State.PAUSED),
        }
        return render(request, "journeys/_counts.html", context)


def tabs(tenant_id: str, pk: int, current: str) -> list[dict[str, Any]]:
    """Builder, Metrics and Participants: the tabs of a journey's pages (the last two once they are routed)."""
    out = []
    for name, label in (("builder", "Builder"), ("metrics", "Metrics"), ("participants", "Participants")):
        try:
            url = reverse(f"journeys:{name}", args=[tenant_id, pk])
        except NoReverseMatch:  # a tab whose page is not routed is left out
            continue
        out.append({"name": name, "label": label, "url": url, "active": name == current})
    return out
