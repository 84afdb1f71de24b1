"""Console forms for test messages. They only shape input into a MessageRequest; the service checks the rest."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms

from channels.services.direct_content import TEMPLATE_KEYS
from channels.services.direct_plan import address_problem
from channels.services.testsend import ADDRESS_TYPES, MAX_TEST_RECIPIENTS, PUSH_TYPES, message_request_for_test
from templates.models import Channel, MessageTemplate

CHANNELS = [(c, Channel(c).label) for c in ADDRESS_TYPES]
KINDS = [("addresses", "Addresses"), ("endpoints", "Endpoint ids")]
MODES = [("adhoc", "Write a message"), ("template", "Use a template")]
# Where a service error about the request belongs on the form, by the end of its field path.
FIELD_FOR_PATH = [
    ("Subject", "subject"),
    ("HtmlPart", "html"),
    ("TextPart", "text"),
    ("Title", "title"),
    ("Body", "body"),
    ("CustomMessage.Data", "payload"),
    ("FromAddress", "from_address"),
    ("OriginationNumber", "origination_number"),
    ("SenderId", "sender_id"),
    ("LanguageCode", "language_code"),
    ("VoiceId", "voice_id"),
    ("Version", "version"),
]
_TEXT = forms.Textarea(attrs={"rows": 4})


def form_field_for(path: str | None) -> str | None:
    """The form field a service error names (Addresses.x.ChannelType → recipients, …), or None."""
    if not path:
        return None
    if path.startswith(("Addresses", "Endpoints", "ChannelType")):
        return "recipients"
    for suffix, name in FIELD_FOR_PATH:
        if path.endswith(suffix) or f".{suffix}." in path:
            return name
    return "template" if path.startswith("TemplateConfiguration") else None


class RecipientsForm(forms.Form):
    """Up to 15 addresses or endpoint ids, one per line."""

    to_kind = forms.ChoiceField(label="Send to", choices=KINDS, initial="addresses", widget=forms.RadioSelect)
    push_type = forms.ChoiceField(
        label="Push service", choices=[(t, t) for t in PUSH_TYPES], initial="GCM", required=False
    )
    recipients = forms.CharField(
        label="Recipients",
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "autocomplete": "off"}),
        help_text=f"One per line, at most {MAX_TEST_RECIPIENTS}.",
    )

    channel_value = ""

    def clean_recipients(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["recipients"].splitlines()]
        items = list(dict.fromkeys(line for line in lines if line))
        if not items:
            raise forms.ValidationError("Enter at least one recipient.")
        if len(items) > MAX_TEST_RECIPIENTS:
            raise forms.ValidationError(
                f"You entered {len(items)} recipients; a test message goes to at most {MAX_TEST_RECIPIENTS}."
            )
        if self.data.get("to_kind", "addresses") == "addresses" and self.channel_value:
            push = self.channel_value == Channel.PUSH
            address_type = (self.data.get("push_type") or "GCM") if push else ADDRESS_TYPES[self.channel_value]
            problems = [f"Line {n}: {p}" for n, a in enumerate(items, 1) if (p := address_problem(address_type, a))]
            if problems:
                raise forms.ValidationError(problems)
        return items

    def recipient_lists(self) -> tuple[list[str], list[str]]:
        """(addresses, endpoint ids)."""
        items = self.cleaned_data["recipients"]
        return ([], items) if self.cleaned_data["to_kind"] == "endpoints" else (items, [])


class TemplateTestForm(RecipientsForm):
    """The template editor's "Send a test": recipients plus the version on screen."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, template: MessageTemplate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel_value = template.channel


class TestMessageForm(RecipientsForm):
    """The Test messaging page: any channel, a template (and version) or content written here."""

    channel = forms.ChoiceField(label="Channel", choices=CHANNELS, initial=Channel.EMAIL)
    mode = forms.ChoiceField(label="Content", choices=MODES, initial="adhoc", widget=forms.RadioSelect)
    template = forms.ChoiceField(label="Template", required=False)
    version = forms.ChoiceField(label="Version", required=False)
    from_address = forms.CharField(label="From address", required=False, max_length=320)
    subject = forms.CharField(label="Subject", required=False, max_length=998)
    title = forms.CharField(label="Title", required=False, max_length=200)
    html = forms.CharField(label="HTML body", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    text = forms.CharField(label="Text body", required=False, widget=_TEXT)
    body = forms.CharField(label="Message", required=False, widget=_TEXT)
    message_type = forms.ChoiceField(
        label="Message type",
        required=False,
        choices=[("", "Channel default"), ("TRANSACTIONAL", "Transactional"), ("PROMOTIONAL", "Promotional")],
    )
    origination_number = forms.CharField(
        label="Origination number",
        required=False,
        max_length=64,
        help_text="Optional: the number (or pool/ARN) to send from; empty = the channel's.",
    )
    sender_id = forms.CharField(label="Sender ID", required=False, max_length=11)
    language_code = forms.CharField(label="Language code", required=False, max_length=16, initial="en-US")
    voice_id = forms.CharField(label="Voice", required=False, max_length=32)
    payload = forms.CharField(label="Payload (JSON)", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(
        self, *args: Any, templates: list[MessageTemplate], versions: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        channel = str(self.data.get("channel") or self.initial.get("channel") or Channel.EMAIL)
        self.channel_value = channel if channel in ADDRESS_TYPES else Channel.EMAIL
        cast(forms.ChoiceField, self.fields["template"]).choices = [("", "Choose a template")] + [
            (str(t.pk), t.name) for t in templates
        ]
        cast(forms.ChoiceField, self.fields["version"]).choices = versions
        self.templates = {str(t.pk): t for t in templates}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "template" and data.get("template") not in self.templates:
            self.add_error("template", "Choose the template to send.")
        if data.get("mode") == "adhoc" and self.channel_value == Channel.CUSTOM and data.get("payload"):
            try:
                json.loads(data["payload"])
            except ValueError as exc:
                self.add_error("payload", f"This is not valid JSON: {exc}.")
        return data

    def message_request(self) -> dict[str, Any]:
        """The MessageRequest this form describes."""
        data = self.cleaned_data
        addresses, endpoint_ids = self.recipient_lists()
        kwargs: dict[str, Any] = {}
        if data["mode"] == "template":
            template = self.templates[data["template"]]
            wanted = {"Name": template.name, **({"Version": data["version"]} if data.get("version") else {})}
            kwargs["template_configuration"] = {TEMPLATE_KEYS[template.channel]: wanted}
        else:
            kwargs["message_configuration"] = self._message_configuration()
        return message_request_for_test(
            channel=self.channel_value,
            addresses=addresses,
            endpoint_ids=endpoint_ids,
            channel_type=(data.get("push_type") or "") if self.channel_value == Channel.PUSH else "",
            **kwargs,
        )

    def _message_configuration(self) -> dict[str, Any]:
        d = self.cleaned_data
        if self.channel_value == Channel.EMAIL:
            simple = {
                "Subject": {"Data": d["subject"]},
                "HtmlPart": {"Data": d["html"]},
                "TextPart": {"Data": d["text"]},
            }
            simple = {k: v for k, v in simple.items() if v["Data"]}
            return {"EmailMessage": {"SimpleEmail": simple, **_given(d, from_address="FromAddress")}}
        if self.channel_value == Channel.SMS:
            sms = _given(d, body="Body", message_type="MessageType", origination_number="OriginationNumber")
            return {"SMSMessage": {**sms, **_given(d, sender_id="SenderId")}}
        if self.channel_value == Channel.VOICE:
            voice = _given(d, body="Body", language_code="LanguageCode", voice_id="VoiceId")
            return {"VoiceMessage": {**voice, **_given(d, origination_number="OriginationNumber")}}
        if self.channel_value == Channel.PUSH:
            return {"DefaultPushNotificationMessage": {**_given(d, title="Title", body="Body"), "Action": "OPEN_APP"}}
        return {"CustomMessage": _given(d, payload="Data")}


def _given(values: dict[str, Any], **names: str) -> dict[str, Any]:
    """Form values that were filled in, under their Pinpoint names."""
    return {pinpoint: values[name] for name, pinpoint in names.items() if values.get(name)}
