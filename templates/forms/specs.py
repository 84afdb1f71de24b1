"""What the editor shows per channel: sections of fields named by their path in the Pinpoint request body."""

from __future__ import annotations

from templates.content import alimtalk, email, sms, voice
from templates.forms.device_specs import INAPP, PUSH
from templates.forms.fields import Fieldset, Rows, Section, Spec, options
from templates.models import VERSION_DESCRIPTION_MAX, Channel, MissingVariablePolicy

__all__ = ["COMMON", "SECTIONS", "VOICES", "Fieldset", "Rows", "Section", "Spec"]

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
            Spec("Subject", "Subject", limit=email.SUBJECT_LIMIT, variables=True, wide=True),
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
        "SMS",
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
                        choices=options(
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
