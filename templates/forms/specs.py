"""What the editor shows per channel: sections of fields named by their path in the Pinpoint request body."""

from __future__ import annotations

from dataclasses import dataclass, field

from templates.content import alimtalk, email, inapp, push, sms, voice
from templates.models import VERSION_DESCRIPTION_MAX, Channel, MissingVariablePolicy


@dataclass(frozen=True)
class Spec:
    name: str  # dotted path in the request body: "Subject", "Default.Title", "Content.0.BodyConfig.Body"
    label: str
    kind: str = "text"  # text | textarea | code | select | checkbox | json | number | color
    help: str = ""
    limit: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    rows: int = 3
    variables: bool = False  # takes Handlebars: the attribute finder inserts into it
    wide: bool = False
    placeholder: str = ""
    default: str = ""  # what a new template starts with (colour inputs always hold a colour)


@dataclass(frozen=True)
class Rows:
    """A repeated group: a list of objects (Headers, Buttons) or an object edited as key/value rows."""

    name: str
    label: str
    columns: tuple[Spec, ...]
    max_rows: int
    as_object: bool = False  # rows become {key: value} from the first two columns
    help: str = ""
    add_label: str = "Add a row"


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Spec | Rows, ...]
    help: str = ""
    collapsed: bool = False
    key: str = ""  # in-app message blocks: "Content.2" (shown only when the layout allows)
    group: str = field(default="")


def _options(values: list[str], labels: dict[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    return tuple((v, (labels or {}).get(v, v.replace("_", " ").capitalize())) for v in values)


ACTIONS = _options(push.ACTIONS, {"OPEN_APP": "Open the app", "DEEP_LINK": "Open a deep link", "URL": "Open a URL"})
BUTTON_ACTIONS = _options(inapp.BUTTON_ACTIONS, {"CLOSE": "Close", "LINK": "Open a URL", "DEEP_LINK": "Deep link"})
ALIGNMENTS = _options(inapp.ALIGNMENTS)
LANGUAGES = (
    ("en-US", "English (US)"),
    ("en-GB", "English (UK)"),
    ("en-AU", "English (Australia)"),
    ("en-IN", "English (India)"),
    ("ko-KR", "Korean"),
    ("ja-JP", "Japanese"),
    ("cmn-CN", "Chinese (Mandarin)"),
    ("de-DE", "German"),
    ("fr-FR", "French"),
    ("fr-CA", "French (Canada)"),
    ("es-ES", "Spanish (Spain)"),
    ("es-US", "Spanish (US)"),
    ("es-MX", "Spanish (Mexico)"),
    ("it-IT", "Italian"),
    ("pt-BR", "Portuguese (Brazil)"),
    ("pt-PT", "Portuguese"),
    ("nl-NL", "Dutch"),
    ("sv-SE", "Swedish"),
    ("da-DK", "Danish"),
    ("nb-NO", "Norwegian"),
    ("pl-PL", "Polish"),
    ("ru-RU", "Russian"),
    ("tr-TR", "Turkish"),
    ("arb", "Arabic"),
    ("hi-IN", "Hindi"),
)
VOICES = (
    "Joanna",
    "Matthew",
    "Ivy",
    "Kendra",
    "Joey",
    "Justin",
    "Salli",
    "Amy",
    "Brian",
    "Emma",
    "Seoyeon",
    "Mizuki",
    "Takumi",
    "Zhiyu",
    "Hans",
    "Marlene",
    "Vicki",
    "Celine",
    "Mathieu",
    "Lea",
    "Conchita",
    "Lucia",
    "Lupe",
    "Carla",
    "Giorgio",
    "Camila",
    "Vitoria",
    "Ricardo",
    "Lotte",
    "Astrid",
    "Naja",
    "Liv",
    "Ewa",
    "Tatyana",
    "Filiz",
    "Zeina",
    "Aditi",
)

COMMON = Section(
    "Template",
    (
        Spec(
            "TemplateDescription",
            "Version description",
            "textarea",
            limit=VERSION_DESCRIPTION_MAX,
            rows=2,
            help="What changed in this version, or what the template is for.",
        ),
        Spec(
            "MissingVariablePolicy",
            "When a variable has no value",
            "select",
            choices=tuple(MissingVariablePolicy.choices),
            default=MissingVariablePolicy.DEFAULT,
            help="Render empty ignores the defaults below. Skip the recipient records a rendering failure.",
        ),
        Rows(
            "DefaultSubstitutions",
            "Default values",
            (
                Spec("key", "Variable", placeholder="User.UserAttributes.FirstName"),
                Spec("value", "Default", placeholder="there"),
            ),
            max_rows=250,
            as_object=True,
            add_label="Add a default",
            help="Used when a recipient has no value for the variable (Pinpoint's default attribute values).",
        ),
        Rows(
            "tags",
            "Tags",
            (Spec("key", "Key"), Spec("value", "Value")),
            max_rows=50,
            as_object=True,
            add_label="Add a tag",
        ),
    ),
)
EMAIL = (
    Section(
        "Message",
        (
            Spec("Subject", "Subject", limit=email.SUBJECT_LIMIT, variables=True),
            Spec(
                "HtmlPart",
                "HTML body",
                "code",
                limit=email.TEMPLATE_LIMIT,
                rows=16,
                variables=True,
                help="Values are HTML-escaped; use {{{triple braces}}} for trusted HTML.",
            ),
            Spec(
                "TextPart",
                "Plain-text alternative",
                "textarea",
                limit=email.TEMPLATE_LIMIT,
                rows=6,
                variables=True,
                help="Shown by mail apps that do not display HTML.",
            ),
        ),
    ),
    Section(
        "Headers",
        (
            Rows(
                "Headers",
                "Headers",
                (
                    Spec("Name", "Name", placeholder="X-Campaign"),
                    Spec("Value", "Value", variables=True),
                ),
                max_rows=email.MAX_HEADERS,
                add_label="Add a header",
                help="Up to 15 extra headers.",
            ),
        ),
        collapsed=True,
    ),
)
SMS = (
    Section(
        "Message",
        (
            Spec("Body", "Message", "textarea", limit=sms.BODY_LIMIT, rows=7, variables=True),
            Spec(
                "MessageType",
                "Message type",
                "select",
                choices=(("", "Channel default"), ("TRANSACTIONAL", "Transactional"), ("PROMOTIONAL", "Promotional")),
            ),
        ),
    ),
)
VOICE = (
    Section(
        "Script",
        (
            Spec(
                "Body",
                "Script",
                "textarea",
                limit=voice.BODY_LIMIT,
                rows=10,
                variables=True,
                help="Plain text, or SSML wrapped in <speak>…</speak>.",
            ),
            Spec("LanguageCode", "Language", "select", choices=(("", "Channel default"), *LANGUAGES)),
            Spec("VoiceId", "Voice", placeholder="Joanna", help="An Amazon Polly voice for that language."),
        ),
    ),
)


def _push_part(part: str) -> tuple[Spec, ...]:
    limit = push.PART_LIMITS[part]
    specs = [
        Spec(f"{part}.Title", "Title", limit=limit, variables=True),
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


def _button(prefix: str, label: str) -> tuple[Spec, ...]:
    at = f"{prefix}.DefaultConfig"
    return (
        Spec(f"{at}.Text", f"{label} text", limit=inapp.BUTTON_TEXT_LIMIT),
        Spec(f"{at}.ButtonAction", "Action", "select", choices=BUTTON_ACTIONS, default="CLOSE"),
        Spec(f"{at}.Link", "Link"),
        Spec(f"{at}.TextColor", "Text colour", "color", default="#FFFFFF"),
        Spec(f"{at}.BackgroundColor", "Background", "color", default="#4F46E5"),
        Spec(f"{at}.BorderRadius", "Border radius (px)", "number"),
        *(
            s
            for p in inapp.PLATFORMS
            for s in (
                Spec(
                    f"{prefix}.{p}.ButtonAction",
                    f"{p} action",
                    "select",
                    choices=(("", "Same as default"), *BUTTON_ACTIONS),
                ),
                Spec(f"{prefix}.{p}.Link", f"{p} link"),
            )
        ),
    )


def _inapp_message(index: int) -> Section:
    at = f"Content.{index}"
    return Section(
        f"Message {index + 1}",
        (
            Spec(f"{at}.HeaderConfig.Header", "Header", limit=inapp.HEADER_LIMIT),
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
    )


INAPP = (
    Section(
        "Layout",
        (
            Spec(
                "Layout",
                "Layout",
                "select",
                choices=_options(inapp.LAYOUTS, inapp.LAYOUT_LABELS),
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
ALIMTALK = (
    Section(
        "Kakao template",
        (
            Spec("ALIMTALK.SenderKey", "Sender profile key", placeholder="the key Kakao issued for your channel"),
            Spec("ALIMTALK.TemplateCode", "Template code", placeholder="ORDER_SHIPPED_01"),
            Spec(
                "ALIMTALK.Text",
                "Approved text",
                "textarea",
                limit=alimtalk.TEXT_LIMIT,
                rows=7,
                help="Paste the text exactly as Kakao approved it, with its #{placeholders}.",
            ),
        ),
    ),
    Section(
        "Placeholders",
        (
            Rows(
                "ALIMTALK.Variables",
                "Placeholders",
                (
                    Spec("key", "Placeholder", placeholder="name"),
                    Spec(
                        "value", "Value (Handlebars)", variables=True, placeholder="{{User.UserAttributes.FirstName}}"
                    ),
                ),
                max_rows=40,
                as_object=True,
                add_label="Add a placeholder",
                help="Each #{placeholder} in the text becomes the value of its expression.",
            ),
        ),
    ),
    Section(
        "Buttons",
        (
            Rows(
                "ALIMTALK.Buttons",
                "Buttons",
                (
                    Spec("Name", "Name", limit=alimtalk.BUTTON_NAME_LIMIT),
                    Spec(
                        "Type",
                        "Type",
                        "select",
                        choices=_options(
                            alimtalk.BUTTON_TYPES,
                            {
                                "WL": "Web link",
                                "AL": "App link",
                                "DS": "Delivery tracking",
                                "BK": "Bot keyword",
                                "MD": "Message delivery",
                                "AC": "Add channel",
                            },
                        ),
                    ),
                    Spec("UrlMobile", "Mobile URL"),
                    Spec("UrlPc", "PC URL"),
                ),
                max_rows=alimtalk.MAX_BUTTONS,
                add_label="Add a button",
            ),
        ),
        collapsed=True,
    ),
)
CUSTOM = (
    Section(
        "Payload",
        (
            Spec(
                "CUSTOM.Data",
                "JSON payload",
                "json",
                rows=14,
                variables=True,
                wide=True,
                placeholder='{"text": "Hi {{User.UserAttributes.FirstName}}"}',
                help="Handlebars works inside string values; the JSON is checked before it is saved.",
            ),
        ),
    ),
)
SECTIONS: dict[str, tuple[Section, ...]] = {
    Channel.EMAIL: EMAIL,
    Channel.SMS: SMS,
    Channel.PUSH: PUSH,
    Channel.VOICE: VOICE,
    Channel.INAPP: INAPP,
    Channel.ALIMTALK: ALIMTALK,
    Channel.CUSTOM: CUSTOM,
}
