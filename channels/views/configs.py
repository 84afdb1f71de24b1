"""Console pages under Channels: what sends each channel, config forms, "check connection", delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from channels.forms import ChannelConfigForm
from channels.models import ChannelConfig, Provider
from channels.models.config import PROVIDERS_FOR_CHANNEL
from channels.services.config_reads import channel_routes, sms_spend_summary
from channels.services.configs import config_check, config_create, config_delete, config_update
from channels.services.delivery_settings import delivery_settings_for
from channels.transports.common import config_secrets
from engage.errors import Conflict, DomainError
from engage.tenancy.models import Capability
from engage.tenancy.web import TenantView, form_error
from templates.models import Channel


def show_error(form: BaseForm, exc: DomainError) -> None:
    """A service refusal on the form field it names (`settings.from_address` is the form's `from_address`)."""
    field = (exc.field or "").removeprefix("settings.").removeprefix("secrets.")
    form_error(form, type(exc)(exc.message, field=field or None))


def sender(config: ChannelConfig) -> str:
    """Who a config sends as, in one line."""
    settings = config.settings
    if settings.get("from_address"):
        name = settings.get("from_name")
        return f"{name} <{settings['from_address']}>" if name else str(settings["from_address"])
    if config.provider == Provider.EUM_SMS:
        identities = [i["identity"] for i in settings.get("origination_identities", [])]
        return ", ".join(identities[:3] + (["…"] if len(identities) > 3 else [])) or settings.get("sender_id", "")
    return str(settings.get("origination_number") or settings.get("url") or settings.get("application_id") or "")


class ConfigView(TenantView):
    read_capability = Capability.VIEW
    write_capability = Capability.MANAGE

    def config(self, pk: int) -> ChannelConfig:
        return get_object_or_404(ChannelConfig.objects.for_tenant(self.tenant), pk=pk)


class ChannelListView(ConfigView):
    """Each channel with what sends it (its default config, or the sandbox), then every config."""

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        return self.page(request)

    def page(self, request: HttpRequest, *, settings_form: Any = None, status: int = 200) -> HttpResponse:
        from channels.views.guard import DeliverySettingsForm

        routes = channel_routes(tenant=self.tenant)
        rows = [
            {"config": c, "sender": sender(c), "spend": sms_spend_summary(config=c)} for r in routes for c in r.configs
        ]
        current = delivery_settings_for(tenant=self.tenant)
        context = {
            "routes": routes,
            "rows": rows,
            "can_manage": self.can(Capability.MANAGE),
            "delivery_settings": current,
            "settings_form": settings_form or DeliverySettingsForm(instance=current),
        }
        return render(request, "channels/list.html", context, status=status)


class ConfigCreateView(ConfigView):
    read_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        channel = request.GET.get("channel", "")
        if channel not in PROVIDERS_FOR_CHANNEL:
            return render(request, "channels/config_new.html", {"choices": _choices()})
        provider = request.GET.get("provider", "")
        providers = PROVIDERS_FOR_CHANNEL[channel]
        if provider not in providers:
            provider = providers[1] if len(providers) > 1 else providers[0]  # the first real provider
        name = f"{Channel(channel).label} via {Provider(provider).label}"
        # An SES config starts disabled: it may send only once its From address is verified.
        initial = {"enabled": provider != Provider.SES, "name": name}
        form = ChannelConfigForm(provider=provider, initial=initial)
        return self._render(form, channel)

    def post(self, request: HttpRequest, tenant_id: str) -> HttpResponse:
        channel, provider = request.POST.get("channel", ""), request.POST.get("provider", "")
        if provider not in PROVIDERS_FOR_CHANNEL.get(channel, ()):
            messages.error(request, "Choose the channel and its provider first.")
            return redirect("channels:create", tenant_id)
        form = ChannelConfigForm(request.POST, provider=provider)
        if form.is_valid():
            try:
                config = config_create(
                    tenant=self.tenant,
                    by=self.actor,
                    ip=self.ip,
                    channel=channel,
                    provider=provider,
                    settings=form.settings(),
                    secrets=form.secrets(),
                    **form.common(),
                )
            except DomainError as exc:
                show_error(form, exc)
            else:
                if config.provider == Provider.SES and not config.enabled:
                    messages.success(request, f"{config.name} saved. Add and verify its From address, then enable it.")
                    return redirect("channels:identities", tenant_id, config.pk)
                messages.success(request, f"{config.name} saved.")
                return redirect("channels:list", tenant_id)
        return self._render(form, channel, status=400)

    def _render(self, form: ChannelConfigForm, channel: str, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "channel": channel,
            "channel_label": Channel(channel).label,
            "provider": form.provider,
            "providers": [(p, Provider(p).label) for p in PROVIDERS_FOR_CHANNEL[channel]],
        }
        return render(self.request, "channels/config_form.html", context, status=status)


def _choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (c, Channel(c).label, [(p, Provider(p).label) for p in providers if p != Provider.SANDBOX])
        for c, providers in PROVIDERS_FOR_CHANNEL.items()
    ]


class ConfigEditView(ConfigView):
    read_capability = Capability.MANAGE

    def get(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        config = self.config(pk)
        return self._render(config, ChannelConfigForm(provider=config.provider, config=config))

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        config = self.config(pk)
        form = ChannelConfigForm(request.POST, provider=config.provider, config=config)
        if form.is_valid():
            try:
                config = config_update(
                    config=config,
                    by=self.actor,
                    ip=self.ip,
                    settings=form.settings(),
                    secrets=form.secrets(),
                    **form.common(),
                )
            except DomainError as exc:
                show_error(form, exc)
            else:
                messages.success(request, f"{config.name} saved.")
                return redirect("channels:list", tenant_id)
        return self._render(config, form, status=400)

    def _render(self, config: ChannelConfig, form: ChannelConfigForm, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {
            "form": form,
            "config": config,
            "channel": config.channel,
            "channel_label": config.get_channel_display(),
            "provider": config.provider,
            "secrets_set": sorted(config_secrets(config)),
            "spend": sms_spend_summary(config=config),
        }
        return render(self.request, "channels/config_form.html", context, status=status)


class ConfigCheckView(ConfigView):
    """Calls the provider; HTMX gets the result panel, a plain form post a message on the list."""

    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        config = self.config(pk)
        result = config_check(config=config, by=self.actor, ip=self.ip)
        if request.headers.get("HX-Request"):
            config.refresh_from_db()
            return render(request, "channels/_check.html", {"config": config})
        if result.ok:
            messages.success(request, f"{config.name} answered: {_values_text(result.values)}.")
        else:
            messages.error(request, f"{config.name} did not answer: {result.error}")
        return redirect("channels:list", tenant_id)


def _values_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in values.items()) or "OK"


class ConfigDeleteView(ConfigView):
    def post(self, request: HttpRequest, tenant_id: str, pk: int) -> HttpResponse:
        config = self.config(pk)
        try:
            config_delete(config=config, by=self.actor, ip=self.ip)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("channels:edit", tenant_id, config.pk)
        messages.success(request, f"{config.name} deleted.")
        return redirect("channels:list", tenant_id)
