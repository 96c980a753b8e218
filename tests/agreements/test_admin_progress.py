"""A progress report's status moves only through the review, never by editing it in the admin."""

import re

import pytest
from django.urls import reverse

from agreements.models import ProgressUpdate
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def test_staff_cannot_accept_a_progress_report_by_editing_its_status_in_admin(client, admin_user):
    update = ProgressUpdateFactory(status="submitted")
    client.force_login(admin_user)
    url = reverse("admin:agreements_progressupdate_change", args=[update.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="status"' not in page.content  # shown, not editable
    (prefix,) = re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page.content.decode())
    form = {
        "commitment": update.commitment_id,
        "reported_on": update.reported_on.isoformat(),
        "amount": update.amount,
        "note": update.note,
        "reported_by": update.reported_by_id,
        "status": "accepted",
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302  # saved: the other fields still are editable
    assert ProgressUpdate.objects.get(pk=update.pk).status == "submitted"
