"""Helpers for direct-send tests: templates with versions, and a scripted transport that answers like a provider.

The scripted transport is a real Transport in the real registry (no patching of our code): it lets the send
service meet a provider that throttles, rejects, fails for a while or loses track of a message, by address.
"""

from __future__ import annotations

from typing import Any

from channels.models import ChannelConfig
from channels.transports import OutboundMessage, SendResult, Transport, TransportError
from channels.transports.base import transport_register
from engage import clock
from engage.tenancy.models import Tenant
from templates.codec import template_request_parse
from templates.models import MessageTemplate
from templates.services.templates import template_create, template_update

SCRIPTED = "scripted"


class ProcessKilled(BaseException):
    """Stands for the process dying mid-send (like SIGKILL, nothing in our code catches it)."""


@transport_register
class ScriptedTransport(Transport):
    """Answers by the address's local part: throttle@ → throttled, reject@ → refused, flaky@ → a transient
    error, lost@ → no answer the provider can vouch for, killed@ → the process dies mid-call; anything else is
    sent."""

    name = SCRIPTED
    batch_size = 50

    def send(self, batch: list[OutboundMessage]) -> list[SendResult]:
        if any(m.address.startswith("down@") for m in batch):
            raise TransportError("the provider is unreachable", permanent=False)
        if any(m.address.startswith("killed@") for m in batch):
            raise ProcessKilled
        results = []
        for m in batch:
            local = m.address.split("@")[0]
            if local == "throttle":
                results.append(SendResult.throttled(m, "Maximum sending rate exceeded."))
            elif local == "reject":
                results.append(SendResult.failed(m, "MessageRejected: Email address is not verified."))
            elif local == "flaky":
                results.append(SendResult(m.delivery_id, "retry", message="ServiceUnavailable", status_code=503))
            elif local == "lost":
                results.append(SendResult(m.delivery_id, "unknown", message="timed out after sending", status_code=500))
            else:
                results.append(SendResult.sent(m, provider_message_id=f"scripted-{m.delivery_id}"))
        return results


def scripted_config(tenant: Tenant, channel: str = "EMAIL") -> ChannelConfig:
    """Make the scripted transport the tenant's default for `channel`."""
    now = clock.now()
    return ChannelConfig.objects.create(
        tenant=tenant, name=f"scripted {channel}", channel=channel, provider=SCRIPTED, created_at=now, updated_at=now
    )


def email_template(tenant: Tenant, name: str = "welcome", *versions: dict[str, Any]) -> MessageTemplate:
    """An email template whose versions hold the given bodies (the first is active)."""
    bodies = versions or (
        {
            "Subject": "Welcome {{User.UserAttributes.FirstName}}",
            "HtmlPart": "<h1>Hello {{User.UserAttributes.FirstName}}</h1><p>Thanks for joining.</p>",
            "TextPart": "Hello {{User.UserAttributes.FirstName}}. Thanks for joining.",
            "DefaultSubstitutions": '{"User.UserAttributes.FirstName": "friend"}',
        },
    )
    first = {"TemplateName": name, "TemplateType": "EMAIL", **bodies[0]}
    template = template_create(tenant=tenant, data=template_request_parse(first), by="tests")
    for body in bodies[1:]:
        data = template_request_parse({"TemplateName": name, "TemplateType": "EMAIL", **body})
        template_update(template=template, data=data, by="tests")
    template.refresh_from_db()
    return template


def sms_template(tenant: Tenant, name: str = "otp", body: str = "Your code is {{Attributes.Code}}") -> MessageTemplate:
    data = template_request_parse({"TemplateName": name, "TemplateType": "SMS", "Body": body})
    return template_create(tenant=tenant, data=data, by="tests")


def simple_email(subject: str = "Hi {{Attributes.Name}}", text: str = "Hello {{Attributes.Name}}") -> dict[str, Any]:
    return {
        "EmailMessage": {
            "FromAddress": "shop@example.com",
            "SimpleEmail": {
                "Subject": {"Charset": "UTF-8", "Data": subject},
                "HtmlPart": {"Data": f"<p>{text}</p>"},
                "TextPart": {"Data": text},
            },
        }
    }
