"""Emails about the account itself (verification, reset, a sign-up attempt on a taken address).

Sent with Django's mail (text + HTML) once the transaction that asked for them commits.
Links start with ``FRONTEND_BASE_URL``; times are shown in the recipient's time zone.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User


def frontend_link(page: str, **params: str) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{settings.FRONTEND_BASE_URL}/{page}{query}"


def user_time_zone(user: User) -> str:
    return user.time_zone or settings.TIME_ZONE


def _send(*, template: str, user: User, context: dict) -> None:
    ctx = {**context, "recipient": user}
    with timezone.override(user_time_zone(user)):
        subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", ctx).split())
        text = render_to_string(f"accounts/email/{template}.txt", ctx)
        html = render_to_string(f"accounts/email/{template}.html", ctx)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def send_on_commit(*, template: str, user: User, context: dict) -> None:
    transaction.on_commit(lambda: _send(template=template, user=user, context=context))
