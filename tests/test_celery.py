"""The Celery app: every task lands on one of the four queues with the fault settings of ARCHITECTURE.md,
and a real worker sends the invitation whose set-password link lets the new member in."""

from __future__ import annotations

import email
import re
import time
from email.message import Message
from pathlib import Path
from typing import Any, cast

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from engage.celery import QUEUES, app, route_task
from engage.tenancy.models import Membership, Role, Tenant
from tests.factories import MembershipFactory, TenantFactory, UserFactory

RESET_PATH = re.compile(r"/accounts/password/reset/key/[0-9A-Za-z]+-[^\s/]+/")


def registered_tasks() -> list[str]:
    app.loader.import_default_modules()  # what a worker imports at start: every app's tasks module
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_it_registers_the_project_tasks() -> None:
    assert "tenancy.send_member_invitation" in registered_tasks()


@pytest.mark.parametrize("name", registered_tasks())
def test_every_task_routes_to_one_of_the_four_queues(name: str) -> None:
    queue = app.amqp.router.route({}, name, (), {})["queue"]
    assert queue.name in QUEUES, f"{name} would go to {queue.name!r}, which no worker serves"
    assert route_task(name, (), {}, {})["queue"] == queue.name


@pytest.mark.parametrize(
    ("name", "queue"),
    [
        ("channels.send_chunk", "sends"),
        ("events.ingest_batch", "events"),
        ("segments.import_chunk", "imports"),
        ("segments.export_run", "imports"),
        ("segments.count", "default"),
        ("campaigns.plan_run", "default"),
        ("tenancy.send_member_invitation", "default"),
    ],
)
def test_it_picks_the_queue_by_the_task_name_prefix(name: str, queue: str) -> None:
    assert route_task(name, (), {}, {}) == {"queue": queue}


def test_it_configures_the_fault_settings() -> None:
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 60 <= conf.broker_transport_options["visibility_timeout"] <= 3600
    assert (
        sorted(q.name for q in conf.task_queues) == sorted(QUEUES) == sorted(("default", "sends", "events", "imports"))
    )
    assert conf.task_default_queue == "default"


def _messages(folder: Path) -> list[Message]:
    """Every message the file-based backend wrote (one file per connection, messages split by a dash line)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk))
    return found


def _wait_for_mail(folder: Path, to: str, timeout: float = 30) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in _messages(folder):
            if message["To"] == to:
                return message
        time.sleep(0.1)
    raise AssertionError(f"the worker sent no mail to {to} within {timeout} s; found {len(_messages(folder))}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_invitation_sent_by_the_worker_lets_the_new_member_set_a_password_and_log_in(
    celery_worker: Any, worker_mail_dir: Path
) -> None:
    tenant = cast(Tenant, TenantFactory(name="Invitations"))
    owner = cast(
        Membership, MembershipFactory(tenant=tenant, user=UserFactory(email="boss@invitations.test"), role=Role.OWNER)
    )
    api = APIClient()
    api.force_authenticate(owner.user)

    response = api.post(
        f"/api/v1/tenants/{tenant.public_id}/members/",
        {"email": "Newbie@Invitations.test", "role": Role.MARKETER},
        format="json",
    )
    assert response.status_code == 201, response.content
    invited = Membership.objects.select_related("user").get(tenant=tenant, user__email="newbie@invitations.test")
    assert not invited.user.has_usable_password()

    message = _wait_for_mail(worker_mail_dir, "newbie@invitations.test")
    assert tenant.name in message["Subject"]
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    match = RESET_PATH.search(body)
    assert match, body
    assert settings.PUBLIC_URL + match.group(0) in body
    assert f"/t/{tenant.public_id}/campaigns/" in body

    browser = Client()
    set_password = browser.get(match.group(0), follow=True)
    assert set_password.status_code == 200
    assert set_password.redirect_chain, "the key link should hand over to the set-password form"
    assert b'name="password1"' in set_password.content
    form_url = set_password.redirect_chain[-1][0]
    password = "a-Brand-new-passphrase-42"
    done = browser.post(form_url, {"password1": password, "password2": password})
    assert done.status_code == 302, done.content
    invited.user.refresh_from_db()
    assert invited.user.check_password(password)

    # The link works once: the token dies with the old (unusable) password.
    assert b'name="password1"' not in Client().get(match.group(0), follow=True).content

    login = Client()
    answer = login.post("/accounts/login/", {"login": "newbie@invitations.test", "password": password})
    assert answer.status_code == 302, answer.content
    assert login.get("/", follow=True).redirect_chain[-1][0] == f"/t/{tenant.public_id}/campaigns/"
