"""Background work for tenancy."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from engage.tenancy.mail import member_invitation_send


@shared_task(
    name="tenancy.send_member_invitation",
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_member_invitation(tenant_id: int, membership_id: int, new_user: bool) -> None:
    """Email a member that they were added to a tenant."""
    member_invitation_send(tenant_id=tenant_id, membership_id=membership_id, new_user=new_user)
