"""Reads of message templates: the library, one template's versions, the version a send uses, and the
variables the attribute finder offers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from engage.errors import Conflict, Invalid, NotFound
from engage.tenancy.models import Tenant
from segments.models import AttributeName
from templates.models import Channel, MessageTemplate, TemplateVersion, VersionBinding

SORTS = {
    "name": ("name", "channel"),
    "-name": ("-name", "-channel"),
    "channel": ("channel", "name"),
    "updated": ("updated_at", "pk"),
    "-updated": ("-updated_at", "-pk"),
    "created": ("created_at", "pk"),
    "-created": ("-created_at", "-pk"),
}
DEFAULT_SORT = "-updated"


def templates_search(
    *, tenant: Tenant, channel: str = "", q: str = "", sort: str = DEFAULT_SORT, contains: bool = False
) -> QuerySet[MessageTemplate]:
    """The tenant's templates, optionally of one channel and whose name starts with (or contains) `q`."""
    queryset = MessageTemplate.objects.for_tenant(tenant).select_related("active_version", "latest_version")
    if channel:
        queryset = queryset.filter(channel=channel)
    if q:
        queryset = queryset.filter(name__icontains=q) if contains else queryset.filter(name__istartswith=q)
    return queryset.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def template_channel_counts(*, tenant: Tenant) -> dict[str, int]:
    counts = dict.fromkeys(Channel.values, 0)
    for channel in MessageTemplate.objects.for_tenant(tenant).values_list("channel", flat=True):
        counts[channel] += 1
    return counts


def template_for_tenant(*, tenant: Tenant, pk: int) -> MessageTemplate | None:
    return (
        MessageTemplate.objects.for_tenant(tenant)
        .select_related("active_version", "latest_version")
        .filter(pk=pk)
        .first()
    )


def template_version_get(*, template: MessageTemplate, number: str | int | None = None) -> TemplateVersion:
    """Version `number`, or "latest", or the active version when not given (as Pinpoint's Get*Template does)."""
    if number in (None, "", "active"):
        version = template.active_version
    elif number == "latest":
        version = template.latest_version
    else:
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            raise Invalid("version must be a version number, latest or active", field="version") from None
        version = template.versions.filter(number=wanted).first()
    if version is None:
        raise NotFound(f"“{template.name}” has no version {number or '(active)'}", field="version")
    return version


def template_version_for_send(
    *, template: MessageTemplate, binding: str, frozen_version: TemplateVersion | None
) -> TemplateVersion:
    """The version a campaign or journey message sends: the one frozen when the message was created, or
    the one active right now (read fresh, so activating another version changes pending sends)."""
    if binding == VersionBinding.FROZEN:
        if frozen_version is None:
            raise Invalid(
                "a frozen binding needs the version that was active when the message was created",
                field="TemplateVersion",
            )
        if frozen_version.template_id != template.pk:
            raise Invalid(f"version {frozen_version.number} belongs to another template", field="TemplateVersion")
        return frozen_version
    if binding != VersionBinding.AT_SEND:
        raise Invalid(f"binding must be {' or '.join(VersionBinding.values)}", field="binding")
    active_id = MessageTemplate.objects.filter(pk=template.pk).values_list("active_version", flat=True).first()
    version = TemplateVersion.objects.filter(pk=active_id).first() if active_id else None
    if version is None:
        raise Conflict(f"“{template.name}” has no active version to send")
    return version


@dataclass(frozen=True)
class AttributeGroup:
    label: str
    names: list[str]  # Handlebars paths, without the braces


STANDARD_ATTRIBUTES = [
    AttributeGroup(
        "Endpoint",
        [
            "Address",
            "ChannelType",
            "EndpointId",
            "EndpointStatus",
            "OptOut",
            "CreationDate",
            "EffectiveDate",
            "CohortId",
        ],
    ),
    AttributeGroup("User", ["User.UserId"]),
    AttributeGroup(
        "Demographic",
        [
            f"Demographic.{n}"
            for n in (
                "AppVersion",
                "Locale",
                "Make",
                "Model",
                "ModelVersion",
                "Platform",
                "PlatformVersion",
                "Timezone",
            )
        ],
    ),
    AttributeGroup(
        "Location", [f"Location.{n}" for n in ("City", "Country", "PostalCode", "Region", "Latitude", "Longitude")]
    ),
    AttributeGroup("Message", ["Pinpoint.ApplicationId", "Pinpoint.CampaignId", "Pinpoint.JourneyId"]),
]
PREFIXES: dict[str, tuple[str, str]] = {
    AttributeName.Kind.USER_ATTRIBUTE: ("User attributes", "User.UserAttributes"),
    AttributeName.Kind.ATTRIBUTE: ("Custom attributes", "Attributes"),
    AttributeName.Kind.METRIC: ("Metrics", "Metrics"),
}


def variable_path(prefix: str, name: str) -> str:
    """`prefix.name`, bracketed when the name is not a plain identifier (`Attributes.[Last Name]`)."""
    plain = name.replace("_", "").replace("-", "").isalnum() and "." not in name
    return f"{prefix}.{name}" if plain else f"{prefix}.[{name}]"


def template_attribute_groups(*, tenant: Tenant) -> list[AttributeGroup]:
    """What the attribute finder lists: the tenant's custom names (most used), then the standard attributes."""
    custom: dict[str, list[str]] = {kind: [] for kind in PREFIXES}
    for kind, name in AttributeName.objects.for_tenant(tenant).order_by("name").values_list("kind", "name"):
        if kind in custom:
            custom[kind].append(variable_path(PREFIXES[kind][1], name))
    return [*(AttributeGroup(PREFIXES[k][0], names) for k, names in custom.items() if names), *STANDARD_ATTRIBUTES]
