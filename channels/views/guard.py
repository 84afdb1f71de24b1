"""Console actions of the deliverability guard: pause and resume a config, and the tenant's delivery settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from channels.models import DeliverySettings
from channels.services.delivery_settings import PERCENTS, delivery_settings_for, delivery_settings_update
from channels.services.guard import config_pause, config_resume
from channels.views.configs import ChannelListView, ConfigView
from engage import clock
from engage.errors import DomainError
from engage.tenancy.web import form_error


class DeliverySettingsForm(forms.ModelForm):
    class Meta:
        model = DeliverySettings
        fields = ["retention_days", "guard_enabled", *PERCENTS, "min_volume"]
        help_texts = {"guard_enabled": "", "min_volume": ""}
        labels = {
            "retention_days": "Keep delivery records and events for (days)",
            "guard_enabled": "Pause a configuration whose rates pass the pause levels",
            "bounce_warn_pct": "Hard bounces: warn at (%)",
            "bounce_pause_pct": "Hard bounces: pause at (%)",
            "complaint_warn_pct": "Complaints: warn at (%)",
            "complaint_pause_pct": "Complaints: pause at (%)",
            "min_volume": "Pause only after this many messages in 24 hours",
        }


class ConfigPauseView(ConfigView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        config = self.config(pk)
        config_pause(config=config, by=self.actor, reason="paused by an admin", now=clock.now(), ip=self.ip)
        messages.success(request, f"Sending through {config.name} is paused; its messages wait until you resume.")
        return redirect("channels:list", tenant_id=self.tenant.public_id)


class ConfigResumeView(ConfigView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        config = self.config(pk)
        try:
            config_resume(config=config, by=self.actor, ip=self.ip)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Sending through {config.name} resumed.")
        return redirect("channels:list", tenant_id=self.tenant.public_id)


class DeliverySettingsView(ChannelListView):
    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        form = DeliverySettingsForm(request.POST, instance=delivery_settings_for(tenant=self.tenant))
        if form.is_valid():
            changes: dict[str, Any] = {name: form.cleaned_data[name] for name in form.fields}
            try:
                delivery_settings_update(tenant=self.tenant, by=self.actor, ip=self.ip, **changes)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "Delivery settings saved.")
                return redirect("channels:list", tenant_id=self.tenant.public_id)
        return self.page(request, settings_form=form, status=400)
