"""Counted nouns in Arabic's six plural forms (common/counting.py) and where the portal shows them."""

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

from agreements.models import Unit
from common.counting import NOUNS, NOUNS_AFTER_PREPOSITION, counted

# n: (day, day after a preposition, trainees). The forms: 0 (the plural, as 3–10: «0 أيام»,
# not «0 يوم»); 1; 2 (the dual, no numeral); 3–10 (plural); 11–99 (singular, accusative);
# 100 and up (singular), 103 back to plural.
ARABIC = {
    0: ("0 أيام", "0 أيام", "0 متدربين"),
    1: ("يوم واحد", "يوم واحد", "متدرب واحد"),
    2: ("يومان", "يومين", "متدربان"),
    3: ("3 أيام", "3 أيام", "3 متدربين"),
    7: ("7 أيام", "7 أيام", "7 متدربين"),
    10: ("10 أيام", "10 أيام", "10 متدربين"),
    11: ("11 يومًا", "11 يومًا", "11 متدربًا"),
    20: ("20 يومًا", "20 يومًا", "20 متدربًا"),
    99: ("99 يومًا", "99 يومًا", "99 متدربًا"),
    100: ("100 يوم", "100 يوم", "100 متدرب"),
    101: ("101 يوم", "101 يوم", "101 متدرب"),
    102: ("102 يوم", "102 يوم", "102 متدرب"),
    103: ("103 أيام", "103 أيام", "103 متدربين"),
    111: ("111 يومًا", "111 يومًا", "111 متدربًا"),
}


@pytest.mark.parametrize("n", sorted(ARABIC))
def test_arabic_counts_take_the_plural_form_of_their_number(n):
    day, day_after_preposition, trainees = ARABIC[n]
    with translation.override("ar"):
        assert counted(n, "day") == day
        assert counted(n, "day", after_preposition=True) == day_after_preposition
        assert counted(n, "trainees") == trainees


@pytest.mark.parametrize("messages", [NOUNS, NOUNS_AFTER_PREPOSITION])
def test_zero_of_every_unit_reads_as_its_plural_in_arabic(messages):
    """«0 ورش عمل», «0 متطوعين»: a zero count takes the plural (as 3 does), never the bare singular."""
    with translation.override("ar"):
        for noun, message in messages.items():
            zero, three = message % {"count": 0}, message % {"count": 3}
            assert zero == three.replace("3", "0"), noun
            assert zero != (message % {"count": 100}).replace("100", "0"), noun


def test_the_dual_of_every_unit_has_both_cases_in_arabic():
    with translation.override("ar"):
        assert counted(2, "workshops") == "ورشتا عمل"
        assert counted(2, "workshops", after_preposition=True) == "ورشتَي عمل"
        assert counted(2, "job_opportunities") == "فرصتان وظيفيتان"
        assert counted(2, "job_opportunities", after_preposition=True) == "فرصتين وظيفيتين"
        assert counted(1, "hours") == "ساعة واحدة"
        assert counted(15, "meetings") == "15 لقاءً"
        assert counted(5, "media_items") == "5 مواد إعلامية"


def test_english_counts_say_1_day_and_2_days():
    with translation.override("en"):
        assert counted(1, "day") == "1 day"
        assert counted(2, "day") == "2 days"
        assert counted(0, "day") == "0 days"
        assert counted(1, "job_opportunities") == "1 job opportunity"
        assert counted(20, "beneficiaries", after_preposition=True) == "20 beneficiaries"


def test_every_commitment_unit_has_a_counted_noun_translated_into_arabic():
    assert set(Unit.values) <= set(NOUNS) and set(NOUNS) == set(NOUNS_AFTER_PREPOSITION)
    for unit in Unit.values:
        with translation.override("ar"):
            arabic = [counted(n, unit) for n in (1, 2, 3, 11, 100)] + [counted(2, unit, after_preposition=True)]
        with translation.override("en"):
            english = [counted(n, unit) for n in (1, 2, 3, 11, 100)] + [counted(2, unit, after_preposition=True)]
        assert all(a != e for a, e in zip(arabic, english, strict=True)), unit


def test_a_unit_without_a_noun_still_shows_its_number():
    assert counted(4, "bicycles") == "4 bicycles"


class _Commitment:
    """The attributes the filters read (a commitment with `with_progress()`)."""

    def __init__(self, achieved, target, unit="trainees"):
        self.pk, self.achieved, self.target_quantity, self.unit = 1, achieved, target, unit
        self.progress_percent = min(100, achieved * 100 // target)


def render(source: str, **context) -> str:
    return Template("{% load arabic %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("achieved", "target", "arabic", "english"),
    [
        (5, 20, "5 من 20 متدربًا", "5 of 20 trainees"),
        (1, 2, "1 من متدربَين", "1 of 2 trainees"),
        (0, 1, "0 من متدرب واحد", "0 of 1 trainee"),
        (3, 7, "3 من 7 متدربين", "3 of 7 trainees"),
        (40, 100, "40 من 100 متدرب", "40 of 100 trainees"),
    ],
)
def test_progress_reads_achieved_of_the_counted_target(achieved, target, arabic, english):
    commitment = _Commitment(achieved, target)
    with translation.override("ar"):
        assert render("{{ c|achieved_of_target }}", c=commitment) == arabic
        assert f'<div class="small">{arabic}</div>' in render("{{ c|progress_bar }}", c=commitment)
    with translation.override("en"):
        assert render("{{ c|achieved_of_target }}", c=commitment) == english


def test_counted_filter_for_templates():
    with translation.override("ar"):
        assert render("{{ n|counted:unit }}", n=2, unit="volunteers") == "متطوعان"
        assert render('{{ n|counted:"day" }}', n=30) == "30 يومًا"
        assert render("{{ n|counted:unit }}", n=None, unit="volunteers") == ""


@pytest.mark.parametrize(
    ("n", "commitments", "agreements_found"),
    [
        (0, "لا التزامات", "لم يُعثر على اتفاقيات"),
        (1, "التزام واحد", "اتفاقية واحدة"),
        (2, "التزامان", "اتفاقيتان"),
        (7, "7 التزامات", "7 اتفاقيات"),
        (20, "20 التزامًا", "20 اتفاقية"),
        (100, "100 التزام", "100 اتفاقية"),
    ],
)
def test_counts_in_page_templates_follow_the_plural_forms(n, commitments, agreements_found):
    """The `{% blocktranslate count %}` messages of portal/home.html and agreements/agreement_list.html."""
    with translation.override("ar"):
        assert ngettext("%(n)s commitment", "%(n)s commitments", n) % {"n": n} == commitments
        assert ngettext("%(n)s agreement found", "%(n)s agreements found", n) % {"n": n} == agreements_found
