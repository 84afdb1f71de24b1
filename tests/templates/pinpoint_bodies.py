"""Template bodies exactly as Amazon Pinpoint returns them from GetEmailTemplate, GetSmsTemplate,
GetPushTemplate, GetVoiceTemplate and GetInAppTemplate (read-only members included)."""

from __future__ import annotations

import json

ARN = "arn:aws:mobiletargeting:us-east-1:123456789012:templates"

EMAIL = {
    "Arn": f"{ARN}/order_shipped/EMAIL",
    "CreationDate": "2023-03-01T10:00:00.000Z",
    "DefaultSubstitutions": json.dumps({"User.UserAttributes.FirstName": "there"}),
    "HtmlPart": "<html><body><h1>Hi {{User.UserAttributes.FirstName}}</h1>"
    "<p>Order {{Attributes.OrderId.[0]}} is on its way.</p></body></html>",
    "LastModifiedDate": "2023-03-02T11:30:00.000Z",
    "Subject": "Your order has shipped, {{User.UserAttributes.FirstName}}",
    "TemplateDescription": "Shipping confirmation",
    "TemplateName": "order_shipped",
    "TemplateType": "EMAIL",
    "TextPart": "Hi {{User.UserAttributes.FirstName}}, order {{Attributes.OrderId.[0]}} is on its way.",
    "Version": "7",
    "tags": {"team": "retention"},
}

SMS = {
    "Arn": f"{ARN}/otp_code/SMS",
    "Body": "Hi {{User.UserAttributes.FirstName}}, your code is {{Attributes.Code.[0]}}.",
    "CreationDate": "2023-04-01T09:00:00.000Z",
    "DefaultSubstitutions": json.dumps({"User.UserAttributes.FirstName": "friend"}),
    "LastModifiedDate": "2023-04-01T09:00:00.000Z",
    "TemplateDescription": "One-time code",
    "TemplateName": "otp_code",
    "TemplateType": "SMS",
    "Version": "3",
    "tags": {},
}

PUSH = {
    "ADM": {"Action": "OPEN_APP", "Body": "Flash sale for Fire devices", "Title": "Sale"},
    "APNS": {
        "Action": "URL",
        "Body": "{{User.UserAttributes.FirstName}}, 40% off today",
        "MediaUrl": "https://cdn.example.com/sale.jpg",
        "Sound": "default",
        "Title": "Flash sale",
        "Url": "https://example.com/sale",
    },
    "Arn": f"{ARN}/flash_sale/PUSH",
    "CreationDate": "2023-05-01T09:00:00.000Z",
    "Default": {
        "Action": "OPEN_APP",
        "Body": "{{User.UserAttributes.FirstName}}, 40% off today",
        "Sound": "default",
        "Title": "Flash sale",
    },
    "DefaultSubstitutions": json.dumps({"User.UserAttributes.FirstName": "Hey"}),
    "GCM": {
        "Action": "DEEP_LINK",
        "Body": "40% off",
        "ImageIconUrl": "https://cdn.example.com/icon.png",
        "ImageUrl": "https://cdn.example.com/sale.jpg",
        "RawContent": json.dumps({"notification": {"title": "Sale for {{User.UserAttributes.FirstName}}"}}),
        "SmallImageIconUrl": "https://cdn.example.com/small.png",
        "Sound": "default",
        "Title": "Flash sale",
        "Url": "myapp://sale",
    },
    "LastModifiedDate": "2023-05-02T09:00:00.000Z",
    "TemplateDescription": "Sale alert",
    "TemplateName": "flash_sale",
    "TemplateType": "PUSH",
    "Version": "2",
    "tags": {"team": "growth"},
}

VOICE = {
    "Arn": f"{ARN}/appointment/VOICE",
    "Body": "<speak>Hello {{User.UserAttributes.FirstName}}, your appointment is <break time='300ms'/> "
    "tomorrow.</speak>",
    "CreationDate": "2023-06-01T09:00:00.000Z",
    "LanguageCode": "en-US",
    "LastModifiedDate": "2023-06-01T09:00:00.000Z",
    "TemplateName": "appointment",
    "TemplateType": "VOICE",
    "Version": "1",
    "VoiceId": "Joanna",
}

INAPP = {
    "Arn": f"{ARN}/welcome_banner/INAPP",
    "Content": [
        {
            "BackgroundColor": "#FFFFFF",
            "BodyConfig": {"Alignment": "LEFT", "Body": "Thanks for installing.", "TextColor": "#333333"},
            "HeaderConfig": {"Alignment": "CENTER", "Header": "Welcome!", "TextColor": "#000000"},
            "ImageUrl": "https://cdn.example.com/welcome.png",
            "PrimaryBtn": {
                "DefaultConfig": {
                    "BackgroundColor": "#4F46E5",
                    "BorderRadius": 8,
                    "ButtonAction": "LINK",
                    "Link": "https://example.com/start",
                    "Text": "Get started",
                    "TextColor": "#FFFFFF",
                },
                "IOS": {"ButtonAction": "DEEP_LINK", "Link": "myapp://start"},
            },
        }
    ],
    "CreationDate": "2023-07-01T09:00:00.000Z",
    "CustomConfig": {"campaign": "onboarding"},
    "LastModifiedDate": "2023-07-01T09:00:00.000Z",
    "Layout": "MOBILE_FEED",
    "TemplateName": "welcome_banner",
    "TemplateType": "INAPP",
    "Version": "1",
}
