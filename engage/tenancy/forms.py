"""Console forms for tenancy pages (they only shape input; services decide)."""

from __future__ import annotations

import zoneinfo

from django import forms

from engage.tenancy.models import TENANT_KEY_ROLES, ApiKey, Role, Tenant
from engage.tenancy.services import TENANT_SETTINGS_FIELDS

_ZONES = sorted(zoneinfo.available_timezones())


class TenantSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=[(z, z) for z in _ZONES])

    class Meta:
        model = Tenant
        fields = list(TENANT_SETTINGS_FIELDS)
        widgets = {
            "quiet_time_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_time_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "campaign_hook_url": forms.URLInput(attrs={"placeholder": "https://hooks.example.com/engage"}),
        }
        labels = {
            "campaign_daily_cap": "Daily messages per endpoint (campaigns)",
            "campaign_total_cap": "Messages per endpoint per campaign",
            "messages_per_second": "Messages per second",
            "campaign_max_duration": "Maximum run time (seconds)",
            "campaign_hook_url": "Default campaign hook URL",
            "journey_daily_cap": "Daily messages per endpoint (journeys)",
            "journey_timeframe_cap": "Journey messages per time frame",
            "journey_timeframe_days": "Time frame (days)",
        }


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MARKETER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, initial="API key")
    role = forms.ChoiceField(choices=TENANT_KEY_ROLES, initial=ApiKey.Role.MARKETER)
    allowed_cidrs = forms.CharField(
        label="Allowed addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "203.0.113.0/24, 2001:db8::/32"}),
        help_text="Optional: only these addresses or ranges may use the key (comma or newline separated).",
    )

    def cleaned_cidrs(self) -> list[str]:
        raw = self.cleaned_data.get("allowed_cidrs") or ""
        return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]
