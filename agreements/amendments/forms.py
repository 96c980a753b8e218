"""The amendment editor: the agreement's editor over its current content, plus a reason and a date.

The clause and commitment forms are the agreement editor's, with a hidden `key` naming
the clause or commitment a row shows (empty for a row added here). The formsets are plain
formsets, not model formsets: the rows they edit are locked, and some of what they show
may come from an earlier amendment rather than from a row.
"""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from common import dates
from common.widgets import DateInput

from ..forms import ClauseForm, ClauseLimit, ClausesWithCommitments, CommitmentForm, CommitmentLimit
from ..models import Agreement, Amendment
from .content import ClauseState, CommitmentState, Content, parse_key

STALE = _("The page no longer matches the agreement's content. Open the amendment editor again and redo the changes.")


class AmendmentForm(forms.ModelForm):
    """The amendment's own fields, and the term's new end date."""

    class Meta:
        model = Amendment
        fields = ["effective_on", "text_ar", "text_en"]
        widgets = {
            "effective_on": DateInput(),
            "text_ar": forms.Textarea(attrs={"rows": 3}),
            "text_en": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        }

    ends_on = forms.DateField(label=Agreement._meta.get_field("ends_on").verbose_name, widget=DateInput())

    def __init__(self, *args, content: Content, **kwargs):
        super().__init__(*args, **kwargs)
        self.content = content
        self.fields["ends_on"].label = _("Ends on")
        self.fields["ends_on"].help_text = _(
            "The term runs from %(start)s to %(end)s. Change the end date to extend or shorten it."
        ) % {
            "start": dates.both(content.starts_on),
            "end": dates.both(content.ends_on),
        }
        self.fields["effective_on"].help_text = _("Within the term, not before the agreement's start.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("effective_on", css_class="col-sm-6"), Column("ends_on", css_class="col-sm-6")),
            Row(Column("text_ar", css_class="col-md-6"), Column("text_en", css_class="col-md-6")),
        )


class AmendmentClauseForm(ClauseForm):
    key = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)


class AmendmentCommitmentForm(CommitmentForm):
    key = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)


class BaseAmendmentCommitmentFormSet(CommitmentLimit, BaseFormSet):
    pass


AmendmentCommitmentFormSet = formset_factory(
    AmendmentCommitmentForm,
    formset=BaseAmendmentCommitmentFormSet,
    extra=0,
    can_delete=True,
    max_num=settings.CLAUSE_MAX_COMMITMENTS,
    validate_max=True,
)


def _initial(item: ClauseState | CommitmentState, names, known: set) -> dict:
    """A row's initial values; an item the amendment itself adds is a new row (no key) each time."""
    key = "" if item.key is None or item.key not in known else str(item.key)
    return {"key": key, **{name: getattr(item, name) for name in names}}


CLAUSE_NAMES = ("order", "kind", "responsible_party", "text_ar", "text_en")
COMMITMENT_NAMES = ("party", "description_ar", "description_en", "target_quantity", "unit", "due_on")


def _rows(base: Content, shown: Content) -> list[tuple[ClauseState, bool, list[tuple[CommitmentState, bool]]]]:
    """The editor's rows: the clauses and commitments of `shown`, and those of `base` it removes,
    marked for removal (so a draft reopens with its removals ticked, and each can be undone)."""
    rows = []
    for clause in shown.clauses:
        original = base.clause(clause.key)
        kept = {m.key for m in clause.commitments}
        removed = [m for m in original.commitments if m.key not in kept] if original else []
        rows.append((clause, False, [(m, False) for m in clause.commitments] + [(m, True) for m in removed]))
    for clause in base.clauses:
        if shown.clause(clause.key) is None:
            rows.append((clause, True, [(m, True) for m in clause.commitments]))
    return sorted(rows, key=lambda row: row[0].order)


class BaseAmendmentClauseFormSet(ClauseLimit, ClausesWithCommitments, BaseFormSet):
    """The clauses of `shown` (the content as the amendment makes it), each with its commitments.

    `base` is the content the amendment changes: every clause and commitment of it must
    come back in the POST, kept or marked for removal, and no row may claim a key it does
    not have. `edited()` gives the content as submitted.
    """

    def __init__(self, *args, base: Content, shown: Content, **kwargs):
        self.base = base
        self.known = {c.key for c in base.clauses} | {m.key for m in base.commitments()}
        self.rows = _rows(base, shown)
        if not args and "data" not in kwargs:
            kwargs["initial"] = [
                {**_initial(c, CLAUSE_NAMES, self.known), "DELETE": removed} for c, removed, _m in self.rows
            ]
        super().__init__(*args, **kwargs)

    def is_new_untouched(self, form) -> bool:
        return not (form.cleaned_data.get("key") if hasattr(form, "cleaned_data") else "") and not form.has_changed()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        initial = None
        if not self.is_bound and index is not None and index < len(self.rows):
            initial = [
                {**_initial(m, COMMITMENT_NAMES, self.known), "DELETE": removed} for m, removed in self.rows[index][2]
            ]
        form.commitments = AmendmentCommitmentFormSet(
            data=self.data if self.is_bound else None, initial=initial, prefix=f"{form.prefix}-commitments"
        )

    @property
    def empty_form(self):
        form = super().empty_form
        form.commitments = AmendmentCommitmentFormSet(prefix=f"{form.prefix}-commitments")
        return form

    def clean(self):
        super().clean()
        for form in self.forms:
            form.commitments.errors  # noqa: B018 (cleans the nested rows, read below)
        if any(self.errors):
            return
        self.check_orders()
        seen: set = set()
        for form in self.forms:
            key = parse_key(form.cleaned_data.get("key", ""))
            if key is None:
                continue
            clause = self.base.clause(key)
            if clause is None or key in seen:
                raise forms.ValidationError(STALE, code="stale")
            seen.add(key)
            if self._should_delete_form(form):
                continue
            mine = {m.key for m in clause.commitments}
            sent = set()
            for commitment in form.commitments.forms:
                data = getattr(commitment, "cleaned_data", None) or {}
                ckey = parse_key(data.get("key", ""))
                if ckey is None:
                    continue
                if ckey not in mine or ckey in sent:
                    raise forms.ValidationError(STALE, code="stale")
                sent.add(ckey)
            if sent != mine:
                raise forms.ValidationError(STALE, code="stale")
        if seen != {c.key for c in self.base.clauses}:
            raise forms.ValidationError(STALE, code="stale")

    def edited(self, ends_on: datetime.date) -> Content:
        """The content as submitted: kept and new clauses, kept and new commitments."""
        clauses = []
        for form in self.forms:
            if self._should_delete_form(form) or self.is_new_untouched(form):
                continue
            data = form.cleaned_data
            commitments = []
            for commitment in form.commitments.forms:
                values = getattr(commitment, "cleaned_data", None) or {}
                if not values or values.get("DELETE"):
                    continue
                commitments.append(
                    CommitmentState(
                        parse_key(values.get("key", "")),
                        values["party"],
                        values["description_ar"],
                        values.get("description_en", ""),
                        values["target_quantity"],
                        values["unit"],
                        values["due_on"],
                    )
                )
            clauses.append(
                ClauseState(
                    parse_key(data.get("key", "")),
                    data["order"],
                    data["kind"],
                    data["responsible_party"],
                    data["text_ar"],
                    data.get("text_en", ""),
                    tuple(commitments),
                )
            )
        return Content(self.base.starts_on, ends_on, tuple(sorted(clauses, key=lambda c: c.order)))


AmendmentClauseFormSet = formset_factory(
    AmendmentClauseForm,
    formset=BaseAmendmentClauseFormSet,
    extra=0,
    can_delete=True,
    max_num=settings.AGREEMENT_MAX_CLAUSES,
    validate_max=True,
)
