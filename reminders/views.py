from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import ReminderEmails, User
from accounts.permissions import editor_required, staff_required
from agreements.models import Agreement
from agreements.models.core import parse_offsets, validate_offsets

from .calendar import feed_ics, feed_issue, feed_revoke, feed_user
from .models import CalendarFeed, Notification, Reminder


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user).select_related("agreement")
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/notification_list.html",
        {"page": page, "reminder_email_choices": ReminderEmails.choices},
    )


@login_required
@require_POST
def reminder_emails(request):
    """How the user's reminders arrive by e-mail: a daily digest, one each, or none."""
    choice = request.POST.get("reminder_emails", "")
    if choice not in ReminderEmails.values:
        messages.error(request, _("Choose how reminders reach you by e-mail."))
    else:
        User.objects.filter(pk=request.user.pk).update(reminder_emails=choice)
        messages.success(request, _("Your reminder e-mail setting was saved."))
    return redirect("reminders:notifications")


@login_required
def notification_open(request, pk: int):
    """Mark one notification read and go where it points (only inside the portal)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
        Notification.forget_count(request.user.pk)
    target = notification.url if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None) else "/"
    return redirect(target or "reminders:notifications")


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    Notification.forget_count(request.user.pk)
    return redirect("reminders:notifications")


@staff_required
def agreement_reminders(request, reference: str):
    """The reminders sent (or to be sent) about one agreement; loaded into its page."""
    agreement = get_object_or_404(Agreement, reference=reference)
    reminders = Reminder.objects.filter(agreement=agreement).select_related("commitment").order_by("-due_on", "-id")
    template = (
        "reminders/_agreement_reminders.html"
        if request.headers.get("HX-Request")
        else "reminders/agreement_reminders.html"
    )
    return render(
        request,
        template,
        {"agreement": agreement, "reminders": reminders, "can_edit": request.user.can_edit_agreements},
    )


@editor_required
@require_POST
def agreement_offsets(request, reference: str):
    """Set an agreement's own renewal-reminder days (not part of the signed content)."""
    agreement = get_object_or_404(Agreement, reference=reference)
    value = request.POST.get("reminder_offsets", "").strip()
    try:
        validate_offsets(value)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("agreements:detail", reference)
    agreement.reminder_offsets = ",".join(str(days) for days in parse_offsets(value))
    agreement._history_user = request.user
    agreement.save(update_fields=["reminder_offsets", "updated_at"])
    messages.success(request, _("Renewal reminders for this agreement were updated."))
    return redirect("agreements:detail", reference)


@login_required
def calendar_settings(request):
    """Create, replace or revoke the user's private calendar address."""
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feed_revoke(request.user)
            messages.success(request, _("The calendar address was revoked; it no longer works."))
            return redirect("reminders:calendar")
        new_url = feed_issue(request.user)
    has_feed = CalendarFeed.objects.filter(user=request.user).exists()
    return render(request, "reminders/calendar.html", {"new_url": new_url, "has_feed": has_feed})


def calendar_feed(request, token: str):
    """The ICS file a calendar application polls; the secret address is the only key."""
    user = feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(feed_ics(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agreements.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
