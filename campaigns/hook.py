"""The campaign hook (Pinpoint's `CampaignHook`), checked on save: a signed webhook in FILTER mode. Lambda is not
called (Engage signs its webhooks instead) and DELIVERY mode is the custom channel's webhook transport."""

from __future__ import annotations

from typing import Any

from channels.transports.httpclient import Unresolvable, webhook_url_check
from engage.errors import Invalid

FILTER = "FILTER"


def hook_check(value: Any) -> dict[str, Any] | None:
    """The `Hook` member as stored ({"WebUrl", "Mode": "FILTER"}), None when empty; Invalid naming the member."""
    if value in (None, {}):
        return None
    if not isinstance(value, dict):
        raise Invalid("Hook must be an object", field="Hook")
    if value.get("LambdaFunctionName"):
        text = "Engage calls a signed webhook, not a Lambda function: give Hook.WebUrl instead"
        raise Invalid(text, field="Hook.LambdaFunctionName")
    mode = value.get("Mode") or FILTER
    if mode != FILTER:
        text = "only FILTER mode is supported (to deliver through your own service, use the custom channel's webhook)"
        raise Invalid(text, field="Hook.Mode")
    url = value.get("WebUrl")
    if not url:
        return None
    if not isinstance(url, str) or len(url) > 2048:
        raise Invalid("Hook.WebUrl must be a URL", field="Hook.WebUrl")
    try:
        webhook_url_check(url)
    except Unresolvable:
        pass  # a name that does not resolve now may later: the planner retries, then skips with a reason
    except Invalid as exc:
        raise Invalid(exc.message, field="Hook.WebUrl") from exc
    return {"WebUrl": url, "Mode": FILTER}
