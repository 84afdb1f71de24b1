"""The send path on SQLite (the embedded default): the same claim, screen, write and events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
from engage.tenancy.models import Tenant
from tests.channels.support import make_endpoints, plan
from channels.services.send import deliveries_send
from channels.models import Delivery
from engage.events.models import Event
from segments.models import SuppressedAddress
from engage import clock
t = Tenant.objects.create(name="sqlite")
ids = make_endpoints(t, 4)
SuppressedAddress.objects.create(tenant=t, address="user3@example.com", created_at=clock.now())
d, _ = plan(t, ids)
first = deliveries_send(tenant_id=t.pk, dispatch_id=d.pk, chunk=0)
again = deliveries_send(tenant_id=t.pk, dispatch_id=d.pk, chunk=0)
rows = {r.endpoint_id: [r.status, r.reason, (r.payload or {}).get("Subject"), r.sent_at is not None]
        for r in Delivery.objects.filter(dispatch=d)}
print(json.dumps({"first": first.claimed, "again": again.claimed, "rows": rows,
                  "events": Event.objects.filter(tenant=t).count()}))
"""


def test_the_send_service_works_on_sqlite(tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'engage.db'}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    out = subprocess.run(
        [*manage, "shell", "-c", SCRIPT], cwd=ROOT, env=env, check=True, timeout=60, capture_output=True, text=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["first"] == 4 and result["again"] == 0
    assert result["rows"]["ep0"] == ["sent", "", "Hi Name0", True]
    assert result["rows"]["ep3"] == ["skipped", "suppressed", None, False]
    # 3 sent × (_campaign.send + _email.send) + 1 skipped × _campaign.send
    assert result["events"] == 7
