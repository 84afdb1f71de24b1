"""The editor's fields of the device channels: push (a default part and per-service overrides) and in-app
(layout, up to five messages, buttons with per-platform overrides)."""

from __future__ import annotations

from templates.content import inapp, push
from templates.forms.fields import Fieldset, Rows, Section, Spec, options

ACTIONS = options(push.ACTIONS, {"OPEN_APP": "Open the app", "DEEP_LINK": "Open a deep link", "URL": "Open a URL"})
BUTTON_ACTIONS = options(inapp.BUTTON_ACTIONS, {"CLOSE": "Close", "LINK": "Open a URL", "DEEP_LINK": "Deep link"})
ALIGNMENTS = options(inapp.ALIGNMENTS)
PLATFORM_LABELS = {"IOS": "iOS", "Android": "Android", "Web": "Web"}


def _push_part(part: str) -> tuple[Spec, ...]:
    limit = push.PART_LIMITS[part]
    specs = [
        Spec(f"{part}.Title", "Title", limit=limit, variables=True, wide=True),
        Spec(f"{part}.Body", "Body", "textarea", limit=limit, rows=3, variables=True),
        Spec(f"{part}.Action", "When tapped", "select", choices=(("", "Default (open the app)"), *ACTIONS)),
        Spec(f"{part}.Url", "URL or deep link", variables=True, placeholder="https://… or myapp://…"),
        Spec(f"{part}.Sound", "Sound", placeholder="default"),
    ]
    if part == "APNS":
        specs.append(Spec("APNS.MediaUrl", "Media URL", help="Image or video shown by iOS."))
    else:
        specs += [
            Spec(f"{part}.ImageUrl", "Image URL"),
            Spec(f"{part}.ImageIconUrl", "Icon URL"),
            Spec(f"{part}.SmallImageIconUrl", "Small icon URL"),
        ]
    if part == "Default":
        specs += [
            Spec("Default.SilentPush", "Silent push (data only, no notification)", "checkbox"),
            Spec(
                "Default.Data",
                "Data",
                "json",
                rows=3,
                variables=True,
                placeholder='{"screen": "offers"}',
                help="Key-values delivered to the app.",
            ),
        ]
    else:
        specs.append(
            Spec(
                f"{part}.RawContent",
                "Raw JSON",
                "json",
                rows=5,
                variables=True,
                help="When set, sent as-is to this service instead of the fields above.",
            )
        )
    return tuple(specs)


PUSH = (
    Section("Default message", _push_part("Default"), help="Sent to every push service unless overridden below."),
    *(Section(f"{push.SERVICE_LABELS[s]} override", _push_part(s), collapsed=True) for s in push.SERVICES),
)


def _button(prefix: str, label: str) -> tuple[Fieldset, Fieldset]:
    at = f"{prefix}.DefaultConfig"
    default = Fieldset(
        label,
        (
            Spec(f"{at}.Text", "Text", limit=inapp.BUTTON_TEXT_LIMIT),
            Spec(f"{at}.ButtonAction", "Action", "select", choices=BUTTON_ACTIONS, default="CLOSE"),
            Spec(f"{at}.Link", "Link", placeholder="https://… or myapp://…"),
            Spec(f"{at}.TextColor", "Text colour", "color", default="#FFFFFF"),
            Spec(f"{at}.BackgroundColor", "Background", "color", default="#4F46E5"),
            Spec(f"{at}.BorderRadius", "Border radius (px)", "number"),
        ),
        help="Leave the text empty for no button.",
    )
    platforms = Fieldset(
        f"{label}: per platform",
        tuple(
            s
            for p in inapp.PLATFORMS
            for s in (
                Spec(
                    f"{prefix}.{p}.ButtonAction",
                    f"{PLATFORM_LABELS[p]} action",
                    "select",
                    choices=(("", "Same as default"), *BUTTON_ACTIONS),
                ),
                Spec(f"{prefix}.{p}.Link", f"{PLATFORM_LABELS[p]} link"),
            )
        ),
        help="Where the button goes on one platform when it should differ.",
    )
    return default, platforms


def _inapp_message(index: int) -> Section:
    at = f"Content.{index}"
    return Section(
        f"Message {index + 1}",
        (
            Spec(f"{at}.HeaderConfig.Header", "Header", limit=inapp.HEADER_LIMIT, wide=True),
            Spec(f"{at}.HeaderConfig.TextColor", "Header colour", "color", default="#111827"),
            Spec(f"{at}.HeaderConfig.Alignment", "Header alignment", "select", choices=ALIGNMENTS),
            Spec(f"{at}.BodyConfig.Body", "Body", "textarea", limit=inapp.BODY_LIMIT, rows=3),
            Spec(f"{at}.BodyConfig.TextColor", "Body colour", "color", default="#374151"),
            Spec(f"{at}.BodyConfig.Alignment", "Body alignment", "select", choices=ALIGNMENTS),
            Spec(f"{at}.BackgroundColor", "Background colour", "color", default="#FFFFFF"),
            Spec(f"{at}.ImageUrl", "Image URL", help=".jpg or .png; banners 1:1, full screen and carousel 3:2."),
            *_button(f"{at}.PrimaryBtn", "Primary button"),
            *_button(f"{at}.SecondaryBtn", "Secondary button"),
        ),
        key=at,
        group="inapp-message",
        collapsed=index > 0,
    )


INAPP = (
    Section(
        "Layout",
        (
            Spec(
                "Layout",
                "Layout",
                "select",
                choices=options(inapp.LAYOUTS, inapp.LAYOUT_LABELS),
                default="MIDDLE_BANNER",
            ),
            Rows(
                "CustomConfig",
                "Custom data",
                (Spec("key", "Key"), Spec("value", "Value")),
                max_rows=inapp.MAX_CUSTOM_DATA,
                as_object=True,
                add_label="Add custom data",
                help="Up to 10 key-values the app receives with the message.",
            ),
        ),
        help="In-app messages are shown as written: they cannot use variables.",
    ),
    *(_inapp_message(i) for i in range(inapp.MAX_CAROUSEL)),
)
