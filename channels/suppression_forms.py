"""Console forms of the suppression page. They only shape input; the segments services validate it (and name
the field to fix)."""

from __future__ import annotations

from typing import Any

from django import forms

from segments.models import ConsentPolicy, SuppressedAddress, SuppressionChannel

CHANNEL_CHOICES = [("", "Every channel"), *SuppressionChannel.choices]
MANUAL_REASONS = [
    (r.value, r.label)
    for r in SuppressedAddress.Reason
    if r not in (SuppressedAddress.Reason.IMPORT, SuppressedAddress.Reason.SOFT_BOUNCE)
]


class SuppressionAddForm(forms.Form):
    address = forms.CharField(
        max_length=1024,
        widget=forms.TextInput(attrs={"placeholder": "jane@example.com or +12065550100", "autocomplete": "off"}),
        help_text="Email is stored lower-cased; phone numbers in E.164.",
    )
    channel = forms.ChoiceField(choices=CHANNEL_CHOICES, required=False)
    reason = forms.ChoiceField(choices=MANUAL_REASONS, initial=SuppressedAddress.Reason.MANUAL)
    note = forms.CharField(max_length=1000, required=False, widget=forms.TextInput(attrs={"placeholder": "optional"}))


class SuppressionImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="address[,reason][,channel][,note] — a header row is optional; at most 100,000 rows.",
    )


class DeliverabilityForm(forms.Form):
    soft_bounce_threshold = forms.IntegerField(label="Soft bounces", min_value=1, max_value=100)
    soft_bounce_window_days = forms.IntegerField(label="Within (days)", min_value=1, max_value=90)


class ConsentForm(forms.Form):
    """One row per channel: `require_<CHANNEL>` and `applies_<CHANNEL>`."""

    def __init__(self, *args: Any, policies: list[ConsentPolicy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policies = policies
        for policy in policies:
            self.fields[f"require_{policy.channel}"] = forms.BooleanField(
                required=False,
                initial=policy.require_opt_in,
                label=f"Require opt-in for {policy.get_channel_display()}",
            )
            self.fields[f"applies_{policy.channel}"] = forms.ChoiceField(
                choices=ConsentPolicy.AppliesTo.choices,
                initial=policy.applies_to or ConsentPolicy.AppliesTo.PROMOTIONAL,
                label=f"Applies to ({policy.get_channel_display()})",
            )

    def rows(self) -> list[tuple[ConsentPolicy, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"require_{p.channel}"], self[f"applies_{p.channel}"]) for p in self.policies]

    def changes(self) -> list[tuple[str, bool, str]]:
        """(channel, require_opt_in, applies_to) of every channel whose policy the form changes."""
        out = []
        for p in self.policies:
            require = bool(self.cleaned_data.get(f"require_{p.channel}"))
            applies = self.cleaned_data.get(f"applies_{p.channel}") or ConsentPolicy.AppliesTo.PROMOTIONAL
            if require != p.require_opt_in or applies != (p.applies_to or ConsentPolicy.AppliesTo.PROMOTIONAL):
                out.append((p.channel, require, applies))
        return out
