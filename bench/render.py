"""Rendering a 1 KB HTML email (5 substitutions, 2 helpers) on one core, and handlebars.js on node in the same run.

Compiles the template once (as a send does per template version), warms up, then times 3 rounds of N renders of
a realistic personalization context and keeps the best round; node renders the same template and context with
handlebars.js 4.7.10 (upper and eq registered as Pinpoint defined them) the same way. Both processes are pinned to
one core. `per_s` and `node_per_s` count renders per second of CPU time the process used (robust to other load
on a shared machine); `wall_per_s` and `node_wall_per_s` per elapsed second.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from bench._common import machine

DEFAULT_N = 200_000
ROUNDS = 3

TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Your weekly update</title></head>
<body style="margin:0;padding:0;font-family:Arial,sans-serif;color:#333333;background:#f4f4f4">
<table role="presentation" width="600" cellpadding="24" cellspacing="0" style="background:#ffffff">
<tr><td>
<h1 style="font-size:22px;margin:0 0 16px">Hi {{User.UserAttributes.FirstName}} {{User.UserAttributes.LastName}},</h1>
<p style="font-size:15px;line-height:22px">Thanks for being a <strong>{{upper User.UserAttributes.Plan}}</strong>
member. Here is what happened near {{Location.City}} this week.</p>
{{#eq Location.Country "US"}}<p style="font-size:15px">Free shipping on your next order.</p>{{else}}
<p style="font-size:15px">International shipping rates apply.</p>{{/eq}}
<p style="font-size:13px;color:#777777">This message was sent to {{Address}}. Update your preferences at any
time.</p>
<p style="font-size:13px;color:#777777">Example Corp, 123 Main Street, Springfield</p>
</td></tr></table>
</body></html>
"""

ENDPOINT = {
    "ApplicationId": "0" * 32,
    "Id": "ep-0001",
    "ChannelType": "EMAIL",
    "Address": "ann.o'neil@example.com",
    "EndpointStatus": "ACTIVE",
    "OptOut": "NONE",
    "Attributes": {"Interests": ["hiking", "jazz"]},
    "Metrics": {"visits": 12.0},
    "Demographic": {"Timezone": "America/Los_Angeles", "Locale": "en_US", "Platform": "ios"},
    "Location": {"City": "Los Angeles", "Country": "US"},
    "User": {"UserId": "u-1", "UserAttributes": {"FirstName": ["Ann"], "LastName": ["O'Neil"], "Plan": ["gold"]}},
    "CreationDate": "2024-01-02T03:04:05Z",
    "EffectiveDate": "2024-02-03T04:05:06Z",
}


def _python(n: int, context: dict[str, Any]) -> tuple[list[float], list[float], str]:
    from templates.rendering import compile_template

    template = compile_template(TEMPLATE, html=True)
    output = ""
    for _ in range(min(n, 20_000)):
        output = template.render(context)
    cpu_rounds, wall_rounds = [], []
    for _ in range(ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            template.render(context)
        cpu_rounds.append(n / (time.process_time() - cpu))
        wall_rounds.append(n / (time.perf_counter() - started))
    return cpu_rounds, wall_rounds, output


def _node(n: int, context: dict[str, Any]) -> dict[str, Any]:
    script = Path(__file__).with_name("render.js")
    payload = json.dumps({"template": TEMPLATE, "context": context, "n": n, "rounds": ROUNDS})
    result = subprocess.run(["node", str(script)], input=payload, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def run(n: int) -> dict[str, Any]:
    from templates.rendering import personalization_context

    context = personalization_context(ENDPOINT, application_id=str(ENDPOINT["ApplicationId"]), campaign_id="c-1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    load_before = os.getloadavg()[0]
    rounds, wall_rounds, output = _python(n, context)
    node = _node(n, context)
    per_s = max(rounds)
    return {
        "per_s": round(per_s),
        "median_per_s": round(statistics.median(rounds)),
        "wall_per_s": round(max(wall_rounds)),
        "node_per_s": round(node["per_s"]),
        "node_wall_per_s": round(node["wall_per_s"]),
        "ratio_to_node": round(per_s / node["per_s"], 3),
        "template_bytes": len(TEMPLATE.encode()),
        "output_bytes": len(output.encode()),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        **machine(),
    }
