"""The campaign page's "Send test" dialog: the campaign's message (every treatment) to a few addresses or a small
segment, through the same service as `POST …/test-send/`; the outcome or the refusal comes back as a message."""

from __future__ import annotations

import re
from collections import Counter

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from campaigns.services.testsend import campaign_send_test
from campaigns.views.common import CampaignMixin
from engage.errors import DomainError

FIELD_LABELS = {"Addresses": "Addresses", "SegmentId": "Test segment", "ChannelType": "Addresses"}


class CampaignTestSendView(CampaignMixin):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        campaign = self.campaign(pk)
        addresses = [a for a in re.split(r"[\s,;]+", request.POST.get("addresses", "")) if a]
        segment_id = request.POST.get("segment", "") if request.POST.get("target") == "segment" else ""
        try:
            answer = campaign_send_test(
                campaign=campaign,
                by=self.actor,
                addresses=[] if segment_id else addresses,
                segment_id=segment_id,
                ip=self.ip,
            )
        except DomainError as exc:
            label = FIELD_LABELS.get((exc.field or "").split(".")[0], "Test send")
            messages.error(request, f"{label}: {exc.message[:1].upper() + exc.message[1:]}.")
            return redirect("campaigns:detail", tenant_id, pk)
        outcome: Counter[str] = Counter(
            r["DeliveryStatus"] for t in answer["Treatments"].values() for r in t["Result"].values()
        )
        sent = outcome.pop("SUCCESSFUL", 0)
        others = ", ".join(f"{n} {status.lower().replace('_', ' ')}" for status, n in outcome.items())
        count = len(answer["Treatments"])
        text = f"Test sent: {sent} message{'s' if sent != 1 else ''} ({count} treatment{'s' if count != 1 else ''})"
        (messages.warning if others else messages.success)(request, text + (f"; {others}." if others else "."))
        return redirect("campaigns:detail", tenant_id, pk)

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        self.campaign(pk)
        return redirect("campaigns:detail", tenant_id, pk)
