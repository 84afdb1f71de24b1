"""Accounts: the people who log in, and how each tenant lets them in through single sign-on."""

from __future__ import annotations

from engage.accounts.models.sso import SsoDomain, SsoSettings, TenantSamlApp
from engage.accounts.models.user import User, UserManager

__all__ = ["SsoDomain", "SsoSettings", "TenantSamlApp", "User", "UserManager"]
