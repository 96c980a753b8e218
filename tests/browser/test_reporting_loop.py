"""Issue 20's "done when", end to end in a real browser, in Arabic, with the clock moved:
a quarterly report comes due and is reminded; the partner opens the reminder's link and reports
two commitments with breakdowns and a photo; staff send one back with a comment and accept the
other; the partner opens the return e-mail's link, corrects and resends it; staff accept it.
The dashboard's impact moves by exactly the accepted quantities, and never by a pending or
returned one."""

import datetime
import re

import pytest
from django.core import mail
from PIL import Image

from agreements.models import PeriodReport, ProgressUpdate
from reminders.services import reminder_batches, reminder_send_batch, reminders_sweep
from tests.browser.fixtures import login
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    PartnerUserFactory,
    set_status,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date


def figures(page, base, kind, unit) -> dict[str, int]:
    """The staff dashboard's impact row for one clause kind and unit: target, accepted, pending, returned."""
    page.goto(f"{base}/")
    row = page.locator(f"[data-testid=impact-by-kind] tr[data-key={kind}][data-unit={unit}]")
    return {
        col: int(row.locator(f"td[data-col={col}]").inner_text())
        for col in ("target", "accepted", "pending", "returned")
    }


def link_in(message, pattern: str) -> str:
    return re.search(r"https?://[^/\s]+(" + pattern + ")", message.body).group(1)


def test_a_quarter_reported_returned_corrected_and_accepted_moves_the_impact_exactly(
    browser, live_server, settings, shoot, tmp_path
):
    agreement = AgreementFactory(
        title_ar="اتفاقية التدريب مع جمعية سيهات",
        starts_on=D(2027, 1, 1),
        signed_on=D(2026, 12, 20),
        ends_on=D(2027, 12, 31),
        reporting_schedule="quarterly",
    )
    clause = ClauseFactory(agreement=agreement, order=1, kind="training")
    trainees = CommitmentFactory(
        clause=clause, party="partner", description_ar="تدريب 40 متدربًا", target_quantity=40, breakdown="sex"
    )
    workshops = CommitmentFactory(
        clause=clause,
        party="partner",
        description_ar="ورش توعوية في بلدات المحافظة",
        target_quantity=10,
        unit="workshops",
        breakdown="town",
    )
    set_status(agreement, "active")
    PartnerUserFactory(username="saihat", partner=agreement.partner, email="saihat@partner.example")
    base = live_server.url

    # The clock moves day by day to the quarter's end: the report opens on 1 April, the
    # due-soon reminder goes on 7 April (due 14 April), once.
    day = D(2027, 3, 28)
    while day <= D(2027, 4, 8):
        settings.PORTAL_TODAY = day.isoformat()
        for ids in reminder_batches(reminders_sweep(today=day).new_reminders):
            reminder_send_batch(reminder_ids=ids)  # what the worker does with each batch
        day += datetime.timedelta(days=1)
    report = PeriodReport.objects.get(agreement=agreement, party="partner", number=1)
    reminded = [
        m for m in mail.outbox if m.to == ["saihat@partner.example"] and f"/period-reports/{report.pk}/" in m.body
    ]
    assert len(reminded) == 1

    staff_context = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = staff_context.new_page()
    login(staff, base, agreement.owner.username, PASSWORD)
    trainees_before = figures(staff, base, "training", "trainees")
    workshops_before = figures(staff, base, "training", "workshops")
    assert (trainees_before["target"], workshops_before["target"]) == (40, 10)

    # The partner opens the reminder's link, logs in, and reports both commitments.
    photo = tmp_path / "workshop.png"
    Image.new("RGB", (64, 48), "orange").save(photo, "PNG")
    partner_context = browser.new_context(viewport={"width": 1280, "height": 900})
    partner = partner_context.new_page()
    login(partner, base, "saihat", PASSWORD)
    partner.goto(base + link_in(reminded[0], r"/portal/period-reports/\d+/"))
    partner.fill("#id_narrative", "دربنا ثمانية متدربين وأقمنا ورشتين في سيهات وصفوى.")
    partner.fill(f"#id_c{trainees.pk}-amount", "8")
    partner.fill(f"#id_c{trainees.pk}-b_male", "3")
    partner.fill(f"#id_c{trainees.pk}-b_female", "5")
    partner.fill(f"#id_c{workshops.pk}-amount", "2")
    partner.fill(f"#id_c{workshops.pk}-b_saihat", "1")
    partner.fill(f"#id_c{workshops.pk}-b_safwa", "1")
    partner.set_input_files(f"#id_c{trainees.pk}-photo", str(photo))
    partner.click("main form button[type=submit]")
    partner.wait_for_load_state("networkidle")
    assert "أُرسل تقرير الفترة إلى الجمعية لمراجعته" in partner.inner_text("main")
    trainees_update = ProgressUpdate.objects.get(period_report=report, commitment=trainees)
    workshops_update = ProgressUpdate.objects.get(period_report=report, commitment=workshops)

    # Sent, not yet reviewed: shown apart, not counted.
    pending = figures(staff, base, "training", "trainees")
    assert (pending["accepted"], pending["pending"]) == (trainees_before["accepted"], trainees_before["pending"] + 8)

    # Staff send the workshops back with a comment and accept the trainees.
    staff.goto(f"{base}/agreements/progress/")
    card = staff.get_by_test_id(f"update-{workshops_update.pk}")
    card.locator("input[name=comment]").fill("الورشة في صفوى لم تُرفق لها صور؛ صححوا العدد أو أرفقوا الدليل")
    shoot(staff, "loop1-review-queue-ar")
    card.locator("button[value=return]").click()
    staff.wait_for_load_state("networkidle")
    staff.get_by_test_id(f"update-{trainees_update.pk}").locator("button[value=accept]").click()
    staff.wait_for_load_state("networkidle")
    after_first = figures(staff, base, "training", "trainees"), figures(staff, base, "training", "workshops")
    assert after_first[0]["accepted"] == trainees_before["accepted"] + 8
    assert after_first[1]["accepted"] == workshops_before["accepted"]
    assert after_first[1]["returned"] == workshops_before["returned"] + 2

    # The partner opens the return e-mail's link: the thread, the evidence, the breakdown as sent.
    returned = [m for m in mail.outbox if m.to == ["saihat@partner.example"] and "/resubmit/" in m.body]
    assert len(returned) == 1
    partner.goto(base + link_in(returned[0], r"/portal/progress/\d+/resubmit/"))
    assert "لم تُرفق لها صور" in partner.inner_text("main")
    assert partner.input_value("#id_b_saihat") == "1" and partner.input_value("#id_b_safwa") == "1"
    partner.fill("#id_amount", "3")
    partner.fill("#id_b_saihat", "2")
    partner.fill("#id_comment", "أضفنا ورشة ثالثة في سيهات")
    partner.click("main form button[type=submit]")
    partner.wait_for_load_state("networkidle")
    assert "مجموع التوزيع (3) لا يساوي الكمية (3)" not in partner.inner_text("main")
    shoot(partner, "loop2-resubmitted-ar")
    workshops_update.refresh_from_db()
    assert (workshops_update.status, workshops_update.amount) == ("submitted", 3)
    assert workshops_update.breakdown == {"saihat": 2, "safwa": 1}

    staff.goto(f"{base}/agreements/progress/")
    staff.get_by_test_id(f"update-{workshops_update.pk}").locator("button[value=accept]").click()
    staff.wait_for_load_state("networkidle")
    trainees_after, workshops_after = (
        figures(staff, base, "training", "trainees"),
        figures(staff, base, "training", "workshops"),
    )
    assert trainees_after["accepted"] - trainees_before["accepted"] == 8
    assert workshops_after["accepted"] - workshops_before["accepted"] == 3
    assert (workshops_after["pending"], workshops_after["returned"]) == (
        workshops_before["pending"],
        workshops_before["returned"],
    )
    staff.goto(f"{base}/#impact")
    shoot(staff, "loop3-dashboard-impact-ar")
    staff_context.close()
    partner_context.close()
