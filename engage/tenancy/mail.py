"""Emails to members."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from engage.tenancy.models import Membership


def member_invitation_send(*, tenant_id: int, membership_id: int, new_user: bool) -> bool:
    """Email a new member where to log in (and, for a new login, where to set a password)."""
    membership = (
        Membership.objects.select_related("user", "tenant").filter(tenant_id=tenant_id, pk=membership_id).first()
    )
    if membership is None:  # removed before the mail went out
        return False
    user = membership.user
    context = {
        "membership": membership,
        "tenant": membership.tenant,
        "login_url": settings.PUBLIC_URL + reverse("account_login"),
        "campaigns_url": settings.PUBLIC_URL + reverse("campaigns:list", args=[membership.tenant.public_id]),
        "set_password_url": None,
    }
    if new_user or not user.has_usable_password():
        path = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        context["set_password_url"] = settings.PUBLIC_URL + path
    subject = f"You have been added to {membership.tenant.name} on Engage"
    body = render_to_string("tenancy/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
