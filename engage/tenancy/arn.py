"""Pinpoint-style ARNs for API responses (clients sometimes parse them; the values are informational)."""

from __future__ import annotations

from django.conf import settings


def pinpoint_arn(application_id: str, suffix: str = "") -> str:
    region = getattr(settings, "ENGAGE_ARN_REGION", "us-east-1")
    account = getattr(settings, "ENGAGE_ARN_ACCOUNT", "000000000000")
    base = f"arn:aws:mobiletargeting:{region}:{account}:apps/{application_id}"
    return f"{base}/{suffix}" if suffix else base
