"""Console forms of the audience pages. They only shape input into Pinpoint's JSON; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from segments.codec import DEMOGRAPHIC, LOCATION_TEXT
from segments.models import ChannelType, Endpoint

LIST_HELP = (
    'One per line: name = value, value. Quote a value that holds a comma: "Rock, Pop". Remove a line to remove it.'
)
METRIC_HELP = "One per line: name = number. A metric, once set, stays (Pinpoint's UpdateEndpoint never removes one)."
# Form field → service error path (the first path that starts with it wins).
FIELD_PATHS = {
    "channel_type": "ChannelType",
    "address": "Address",
    "endpoint_status": "EndpointStatus",
    "opt_out": "OptOut",
    "user_id": "User.UserId",
    "user_attributes": "User.UserAttributes",
    "attributes": "Attributes",
    "metrics": "Metrics",
    **{column: f"Demographic.{key}" for key, column in DEMOGRAPHIC.items()},
    **{column: f"Location.{key}" for key, column in LOCATION_TEXT.items()},
    "latitude": "Location.Latitude",
    "longitude": "Location.Longitude",
}


class LineError(ValueError):
    pass


def _quote(value: str) -> str:
    if value == "" or value != value.strip() or any(c in value for c in ',"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, int) else repr(float(value))


def lists_to_text(values: dict[str, list[str]] | None) -> str:
    """Attributes as the textarea shows them; values with commas or quotes are quoted so they come back intact."""
    return "\n".join(f"{name} = {', '.join(_quote(v) for v in items)}" for name, items in (values or {}).items())


def metrics_to_text(metrics: dict[str, Any] | None) -> str:
    return "\n".join(f"{name} = {_number(value)}" for name, value in (metrics or {}).items())


_VALUE = re.compile(r'\s*(?:"((?:[^"]|"")*)"|([^,"]*))\s*(,|$)')


def _split_values(text: str) -> list[str]:
    """Comma-separated values; a value may be "quoted" (with "" for a quote) to hold commas or spaces."""
    values: list[str] = []
    position = 0
    while True:
        match = _VALUE.match(text, position)
        if match is None:
            raise LineError('put quotes around the whole value, as in "Rock, Pop", and a comma between values')
        quoted, plain, separator = match.groups()
        if quoted is not None:
            values.append(quoted.replace('""', '"'))
        elif plain.strip():
            values.append(plain.strip())
        if not separator:
            return values
        position = match.end()


def _lines(text: str) -> list[tuple[int, str, str]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, rest = line.partition("=")
        if not sep or not name.strip():
            raise forms.ValidationError(f"line {number}: write it as name = value")
        out.append((number, name.strip(), rest.strip()))
    return out


def text_to_lists(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for number, name, rest in _lines(text):
        if name in out:
            raise forms.ValidationError(f"line {number}: {name} appears twice; put all its values on one line")
        try:
            out[name] = _split_values(rest)
        except LineError as exc:
            raise forms.ValidationError(f"line {number}: {exc}") from None
    return out


def text_to_metrics(text: str) -> dict[str, int | float]:
    out: dict[str, int | float] = {}
    for number, name, rest in _lines(text):
        if name in out:
            raise forms.ValidationError(f"line {number}: {name} appears twice")
        if re.fullmatch(r"[+-]?\d{1,15}", rest):
            out[name] = int(rest)
            continue
        try:
            value = float(rest)
        except ValueError:
            raise forms.ValidationError(f"line {number}: {name} must be a number, not {rest!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise forms.ValidationError(f"line {number}: {name} must be a finite number")
        out[name] = value
    return out


def _text(label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=True, **kwargs)


def _area(label: str, help_text: str, placeholder: str) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 4, "class": "mono", "placeholder": placeholder, "spellcheck": "false"})
    return forms.CharField(label=label, required=False, strip=False, widget=widget, help_text=help_text)


class EndpointForm(forms.Form):
    """Every editable field of an endpoint, sent to endpoint_upsert as one UpdateEndpoint request."""

    channel_type = forms.ChoiceField(label="Channel", choices=[(c, c) for c in ChannelType.values])
    address = _text("Address", max_length=1024)
    endpoint_status = forms.ChoiceField(label="Status", choices=Endpoint.Status.choices)
    opt_out = forms.ChoiceField(
        label="Opt-out", choices=[("NONE", "NONE — receives messages"), ("ALL", "ALL — opted out of everything")]
    )
    user_id = _text("User id", max_length=256)
    user_attributes = _area("User attributes", LIST_HELP, "FirstName = Jane\nInterests = hiking, jazz")
    attributes = _area("Attributes", LIST_HELP, "Plan = pro\nTeams = red, blue")
    metrics = _area("Metrics", METRIC_HELP, "purchases = 3\nspend = 42.5")
    app_version = _text("App version", max_length=64)
    locale = _text("Locale", max_length=32, help_text="e.g. en_US")
    make = _text("Make", max_length=64)
    model = _text("Model", max_length=64)
    model_version = _text("Model version", max_length=64)
    platform = _text("Platform", max_length=64)
    platform_version = _text("Platform version", max_length=64)
    timezone = _text("Time zone", max_length=64, help_text="IANA name, e.g. Asia/Seoul")
    city = _text("City", max_length=128)
    region = _text("Region", max_length=128)
    postal_code = _text("Postal code", max_length=32)
    country = _text("Country", max_length=8, help_text="ISO 3166-1 alpha-2, e.g. KR")
    latitude = forms.FloatField(label="Latitude", required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    longitude = forms.FloatField(label="Longitude", required=False, widget=forms.NumberInput(attrs={"step": "any"}))

    DEMOGRAPHIC_FIELDS = list(DEMOGRAPHIC.values())
    LOCATION_FIELDS = ["city", "region", "postal_code", "country", "latitude", "longitude"]

    def demographic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DEMOGRAPHIC_FIELDS]

    def location_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.LOCATION_FIELDS]

    def __init__(self, *args: Any, endpoint: Endpoint, **kwargs: Any) -> None:
        self.endpoint = endpoint
        if not args and "data" not in kwargs:
            kwargs["initial"] = self.initial_for(endpoint)
        super().__init__(*args, **kwargs)

    @staticmethod
    def initial_for(endpoint: Endpoint) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(endpoint, name) for name in FIELD_PATHS if hasattr(endpoint, name)}
        initial["attributes"] = lists_to_text(endpoint.attributes)
        initial["user_attributes"] = lists_to_text(endpoint.user_attributes)
        initial["metrics"] = metrics_to_text(endpoint.metrics)
        return initial

    def clean_attributes(self) -> dict[str, list[str]]:
        return text_to_lists(self.cleaned_data["attributes"])

    def clean_user_attributes(self) -> dict[str, list[str]]:
        return text_to_lists(self.cleaned_data["user_attributes"])

    def clean_metrics(self) -> dict[str, int | float]:
        metrics = text_to_metrics(self.cleaned_data["metrics"])
        dropped = sorted(set(self.endpoint.metrics or {}) - set(metrics))
        if dropped:
            raise forms.ValidationError(
                f"{', '.join(dropped)} cannot be removed: saving keeps the metrics it leaves out. "
                "Give it a value instead, or delete the endpoint."
            )
        return metrics

    def pinpoint_request(self) -> dict[str, Any]:
        """The EndpointRequest JSON; names missing from the form are sent as empty lists, which removes them."""
        data = self.cleaned_data
        return {
            "ChannelType": data["channel_type"],
            "Address": data["address"],
            "EndpointStatus": data["endpoint_status"],
            "OptOut": data["opt_out"],
            "Attributes": _with_removals(self.endpoint.attributes, data["attributes"]),
            "Metrics": data["metrics"],
            "Demographic": {key: data[column] for key, column in DEMOGRAPHIC.items()},
            "Location": {
                **{key: data[column] for key, column in LOCATION_TEXT.items()},
                "Latitude": data["latitude"],
                "Longitude": data["longitude"],
            },
            "User": {
                "UserId": data["user_id"],
                "UserAttributes": _with_removals(self.endpoint.user_attributes, data["user_attributes"]),
            },
        }

    def field_for(self, path: str | None) -> str | None:
        """The form field a service error path (e.g. `User.UserAttributes.age`) belongs to."""
        if not path:
            return None
        for name, prefix in FIELD_PATHS.items():
            if path == prefix or path.startswith(prefix + "."):
                return name
        return None


def _with_removals(current: dict[str, list[str]] | None, wanted: dict[str, list[str]]) -> dict[str, list[str]]:
    return {**{name: [] for name in current or {}}, **wanted}


class EraseUserForm(forms.Form):
    confirm = forms.CharField(label="Type the user id to confirm", max_length=256, strip=True)

    def __init__(self, *args: Any, user_id: str, **kwargs: Any) -> None:
        self.user_id = user_id
        super().__init__(*args, **kwargs)
        self.fields["confirm"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "data-must-equal": user_id, "placeholder": user_id}
        )

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value != self.user_id:
            raise forms.ValidationError(f"Type {self.user_id} exactly to confirm the erasure.")
        return value
