"""Each user's calendar feed: agreement end dates, renewal reminder dates, commitment due dates."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event

from agreements.models import Agreement, AgreementStatus, Commitment
from common.tokens import hash_token

from .links import agreement_path
from .models import CalendarFeed
from .services import renewal_offsets


def feed_issue(user) -> str:
    """Create or replace the user's feed; returns the new secret address (shown once)."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": hash_token(token)})
    return settings.SITE_URL + reverse("calendar_feed", args=[token])


def feed_revoke(user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def feed_user(token: str):
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    return feed.user if feed is not None and feed.user.is_active else None


def _event(uid: str, day: datetime.date, summary: str, url: str) -> Event:
    event = Event()
    event.add("uid", f"{uid}@qatif-partnerships")
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    return event


def feed_ics(user) -> bytes:
    """The calendar of what this user may see, in Arabic."""
    calendar = Calendar()
    calendar.add("prodid", "-//Qatif Charity//Partnership portal//AR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "اتفاقيات الشراكة")
    running = (AgreementStatus.ACTIVE, AgreementStatus.SIGNED, AgreementStatus.AWAITING_SIGNATURES)
    binding = (AgreementStatus.ACTIVE, AgreementStatus.SIGNED)
    agreements = (
        Agreement.objects.visible_to(user)
        .filter(status__in=running)
        .select_related("partner")
        .annotate(has_renewal=Exists(Agreement.objects.filter(renews=OuterRef("pk"))))
    )
    base = settings.SITE_URL
    with translation.override("ar"):
        for agreement in agreements:
            url = base + agreement_path(agreement.reference, partner=user.is_partner_user)
            calendar.add_component(
                _event(
                    f"agreement-{agreement.pk}-end",
                    agreement.ends_on,
                    _("Agreement ends: %(title)s (%(partner)s)")
                    % {"title": agreement.title, "partner": agreement.partner.name},
                    url,
                )
            )
            if agreement.status == AgreementStatus.SIGNED:
                calendar.add_component(
                    _event(
                        f"agreement-{agreement.pk}-start",
                        agreement.starts_on,
                        _("Agreement comes into force: %(title)s (%(partner)s)")
                        % {"title": agreement.title, "partner": agreement.partner.name},
                        url,
                    )
                )
            # Once a renewal exists, its own dates matter, not reminders to start one.
            if agreement.status in binding and not agreement.has_renewal:
                for offset in renewal_offsets(agreement):
                    calendar.add_component(
                        _event(
                            f"agreement-{agreement.pk}-renewal-{offset}",
                            agreement.ends_on - datetime.timedelta(days=offset),
                            ngettext(
                                "Renewal reminder (%(days)s day before the end): %(title)s",
                                "Renewal reminder (%(days)s days before the end): %(title)s",
                                offset,
                            )
                            % {"days": offset, "title": agreement.title},
                            url,
                        )
                    )
        commitments = (
            Commitment.objects.open()
            .filter(clause__agreement__in=agreements.filter(status__in=binding))
            .select_related("clause__agreement")
        )
        for commitment in commitments:
            agreement = commitment.clause.agreement
            url = base + agreement_path(agreement.reference, partner=user.is_partner_user, commitment_id=commitment.pk)
            calendar.add_component(
                _event(
                    f"commitment-{commitment.pk}-due",
                    commitment.due_on,
                    _("Commitment due: %(commitment)s") % {"commitment": commitment.description},
                    url,
                )
            )
    return calendar.to_ical()
