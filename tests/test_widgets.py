import datetime
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

from agreements.amendments.forms import AmendmentForm
from agreements.forms import AgreementForm, CommitmentForm, ProgressForm, TerminateForm
from common.widgets import DateInput
from reports.definitions import RangeForm


class OneDate(forms.Form):
    on = forms.DateField(widget=DateInput())


def test_date_input_names_the_live_line_under_it_that_shows_the_hijri_date():
    html = str(OneDate(initial={"on": datetime.date(2026, 12, 10)})["on"])
    assert html == (
        '<input type="date" name="on" value="2026-12-10" required id="id_on" '
        'data-other-calendar="id_on_other_calendar" aria-describedby="id_on_other_calendar">'
        '<span id="id_on_other_calendar" class="form-text other-calendar" aria-live="polite" '
        'data-months="محرم|صفر|ربيع الأول|ربيع الثاني|جمادى الأولى|جمادى الآخرة|رجب|شعبان|رمضان|شوال|'
        'ذو القعدة|ذو الحجة" '
        'data-pattern="{day} {month} {year} هـ"></span>'
    )


def test_date_input_without_an_id_has_no_hint_to_point_at():
    html = str(OneDate(auto_id=False)["on"])
    assert "data-other-calendar" not in html and "<span" not in html


@pytest.mark.parametrize("form", [AgreementForm, CommitmentForm, TerminateForm, AmendmentForm, ProgressForm, RangeForm])
def test_every_date_field_of_the_portals_forms_shows_the_other_calendar(form):
    fields = form.base_fields.values()
    dated = [field for field in fields if isinstance(field, forms.DateField)]
    assert dated
    assert all(isinstance(field.widget, DateInput) for field in dated)


def test_no_template_writes_a_date_input_by_hand():
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    assert [path.name for path in templates if 'type="date"' in path.read_text()] == []
