"""Forms for recording agreements: header, clauses with nested commitments, actions."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.db.models import F, Q
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from accounts.models import STAFF_EDITORS, User
from common import clock, dates
from common.dates import Calendar
from common.search import MAX_QUERY_CHARS
from common.text import plain_name
from common.validators import reject_bidi_controls
from common.widgets import DateInput
from partners.models import Partner, Sector

from . import breakdowns
from .models import Agreement, AgreementStatus, Clause, ClauseKind, Commitment, Party, SignatureMethod, SigningOrder


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "title_ar",
            "title_en",
            "partner",
            "owner",
            "starts_on",
            "term_calendar",
            "ends_on",
            "renewal_notice_days",
            "reporting_schedule",
            "summary_ar",
            "summary_en",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "summary_ar": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
            "title_en": forms.TextInput(attrs={"dir": "ltr"}),
        }

    term_years = forms.IntegerField(label=_("Years"), required=False, min_value=0, max_value=10)
    term_months = forms.IntegerField(label=_("Months"), required=False, min_value=0, max_value=11)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].required = False
        self.fields["term_calendar"].required = False
        self.fields["ends_on"].help_text = _("Or give the term's length in years and months below.")
        self.fields["term_years"].help_text = _("The end date is then counted in the chosen calendar.")
        self.fields["partner"].queryset = Partner.objects.filter(is_active=True) | Partner.objects.filter(
            pk=self.instance.partner_id or 0
        )
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True, partner__isnull=True)
            .filter(Q(is_superuser=True) | Q(groups__name=STAFF_EDITORS))
            .distinct()
        )
        self.fields["owner"].required = False
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(Column("title_ar", css_class="col-md-6"), Column("title_en", css_class="col-md-6")),
            Row(Column("partner", css_class="col-md-6"), Column("owner", css_class="col-md-6")),
            Row(
                Column("starts_on", css_class="col-sm-4"),
                Column("term_calendar", css_class="col-sm-4"),
                Column("renewal_notice_days", css_class="col-sm-4"),
            ),
            Row(
                Column("ends_on", css_class="col-sm-4"),
                Column("term_years", css_class="col-sm-4"),
                Column("term_months", css_class="col-sm-4"),
            ),
            Row(Column("reporting_schedule", css_class="col-sm-4")),
            Row(Column("summary_ar", css_class="col-md-6"), Column("summary_en", css_class="col-md-6")),
        )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        months = (cleaned.get("term_years") or 0) * 12 + (cleaned.get("term_months") or 0)
        calendar = cleaned["term_calendar"] = cleaned.get("term_calendar") or Calendar.GREGORIAN
        if months and starts_on:
            try:
                counted = dates.term_end(starts_on, months, calendar)
            except (OverflowError, ValueError):
                self.add_error("starts_on", _("The Hijri calendar of this portal covers 1924 to 2077."))
                return cleaned
            if ends_on and ends_on != counted:
                self.add_error(
                    "ends_on",
                    _("A term of this length ends on %(date)s. Leave the end date empty or correct it.")
                    % {"date": dates.both(counted)},
                )
            else:
                cleaned["ends_on"] = self.instance.ends_on = ends_on = counted
        elif not ends_on and "ends_on" not in self.errors:
            self.add_error("ends_on", _("Give the end date, or the term's length in years and months."))
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The end date must be after the start date."))
        predecessor = self.instance.renews
        if starts_on and predecessor is not None:
            self._check_renewal_start(predecessor, starts_on)
        return cleaned

    def _check_renewal_start(self, predecessor: Agreement, starts_on) -> None:
        """A renewal runs on from the day after its predecessor ends: no overlap, no gap.

        A gap is allowed only for a late renewal: the predecessor ended already and the
        renewal starts no earlier than today.
        """
        next_day = predecessor.ends_on + datetime.timedelta(days=1)
        values = {"reference": predecessor.reference, "date": dates.both(predecessor.ends_on)}
        if starts_on < next_day:
            self.add_error(
                "starts_on",
                _("This renewal must start after %(reference)s ends on %(date)s, not while it still runs.") % values,
            )
        elif starts_on > next_day and not (predecessor.ends_on < clock.today() <= starts_on):
            self.add_error(
                "starts_on",
                _(
                    "This renewal should start the day after %(reference)s ends on %(date)s, so that no days are "
                    "left without an agreement."
                )
                % values,
            )


class ClauseForm(forms.ModelForm):
    class Meta:
        model = Clause
        fields = ["order", "kind", "responsible_party", "text_ar", "text_en"]
        widgets = {
            "order": forms.NumberInput(attrs={"class": "clause-order", "min": 1}),
            "text_ar": forms.Textarea(attrs={"rows": 3}),
            "text_en": forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        }


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["party", "description_ar", "description_en", "target_quantity", "unit", "due_on", "breakdown"]
        widgets = {
            "due_on": DateInput(),
            "description_en": forms.TextInput(attrs={"dir": "ltr"}),
            "target_quantity": forms.NumberInput(attrs={"min": 1}),
        }


class CommitmentLimit:
    """The refusal past CLAUSE_MAX_COMMITMENTS, in words a staff member reads (not "forms")."""

    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "A clause can have at most %(num)d commitment.", "A clause can have at most %(num)d commitments.", "num"
        ),
    }


class ClauseLimit:
    """The refusal past AGREEMENT_MAX_CLAUSES."""

    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "An agreement can have at most %(num)d clause.", "An agreement can have at most %(num)d clauses.", "num"
        ),
    }


class BaseCommitmentFormSet(CommitmentLimit, BaseInlineFormSet):
    pass


CommitmentFormSet = inlineformset_factory(
    Clause,
    Commitment,
    form=CommitmentForm,
    formset=BaseCommitmentFormSet,
    extra=0,
    can_delete=True,
    max_num=settings.CLAUSE_MAX_COMMITMENTS,
    validate_max=True,
)


class ClausesWithCommitments:
    """What the agreement editor and the amendment editor share: clause forms, each with a
    formset of its commitments in `form.commitments`, checked together."""

    def is_new_untouched(self, form) -> bool:
        """A clause row added in the browser and left empty: skipped, not refused."""
        return not form.instance.pk and not form.has_changed()

    @property
    def ordered_forms(self):
        """The clause forms in their clause order, as the user arranged them."""

        def position(form):
            # What was typed, valid or not: "¹" passes str.isdigit() but not int().
            try:
                return int(form["order"].value())
            except (TypeError, ValueError):
                return 10**6

        return sorted(self.forms, key=position)

    def is_valid(self):
        valid = super().is_valid()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            valid = form.commitments.is_valid() and valid
        return valid

    def check_term(self, starts_on, ends_on) -> bool:
        """Every commitment's due date inside the agreement's term; errors at the field."""
        ok = True
        message = _("Due dates must fall within the agreement's term, %(start)s to %(end)s.") % {
            "start": dates.both(starts_on),
            "end": dates.both(ends_on),
        }
        for form in self.forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            for commitment in form.commitments.forms:
                data = getattr(commitment, "cleaned_data", None) or {}
                due_on = data.get("due_on")
                if due_on and not data.get("DELETE") and not starts_on <= due_on <= ends_on:
                    commitment.add_error("due_on", message)
                    ok = False
        return ok

    def check_orders(self) -> None:
        """Clause numbers are unique: the second of two equal numbers is marked, with a message naming it."""
        seen: dict[int, forms.Form] = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form) or self.is_new_untouched(form):
                continue
            order = form.cleaned_data.get("order")
            if order is None:
                continue
            if order in seen:
                form.add_error("order", _("Two clauses cannot have the same number."))
                raise forms.ValidationError(_("Two clauses have the same number %(order)s.") % {"order": order})
            seen[order] = form


class BaseClauseFormSet(ClauseLimit, ClausesWithCommitments, BaseInlineFormSet):
    """Clauses, each carrying its own formset of commitments (prefix `<clause>-commitments`)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        instance = form.instance if form.instance.pk else Clause()
        form.commitments = CommitmentFormSet(
            data=self.data if self.is_bound else None,
            instance=instance,
            prefix=f"{form.prefix}-commitments",
        )

    @property
    def empty_form(self):
        form = super().empty_form
        form.commitments = CommitmentFormSet(instance=Clause(), prefix=f"{form.prefix}-commitments")
        return form

    def validate_unique(self):
        # The only unique rule on clauses is their number; clean() below checks it with
        # a message that names the number, instead of Django's generic one.
        return

    def clean(self):
        super().clean()
        self.check_orders()

    def save_all(self, *, by) -> None:
        """Save clauses and their commitments; deleted clauses go with their commitments.

        Clause numbers are unique per agreement, so a reorder (1↔2) would collide half
        way: existing clauses first move out of the way, then every kept clause is
        written with its new number.
        """
        Clause.objects.filter(agreement=self.instance).update(order=F("order") + 10_000)
        for form in self.forms:
            clause = form.instance
            if self._should_delete_form(form):
                if clause.pk:
                    clause._history_user = by
                    clause.delete()
                continue
            if not clause.pk and not form.has_changed():
                continue  # an untouched empty clause row
            clause = form.save(commit=False)
            clause.agreement = self.instance
            clause._history_user = by
            clause.save()
            form.commitments.instance = clause
            for commitment_form in form.commitments.forms:
                commitment_form.instance.clause = clause
            commitments = form.commitments.save(commit=False)
            for commitment in form.commitments.deleted_objects:
                commitment._history_user = by
                commitment.delete()
            for commitment in commitments:
                commitment._history_user = by
                commitment.save()


ClauseFormSet = inlineformset_factory(
    Agreement,
    Clause,
    form=ClauseForm,
    formset=BaseClauseFormSet,
    extra=0,
    can_delete=True,
    max_num=settings.AGREEMENT_MAX_CLAUSES,
    validate_max=True,
)


class SearchField(forms.CharField):
    """What was typed in a search box: never refused (a search answers, even "nothing found").

    NUL characters are dropped and the text is cut to `MAX_QUERY_CHARS`; the search itself
    ignores punctuation, operators and direction controls (`common.search.parse_query`).
    """

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")[:MAX_QUERY_CHARS]


class AgreementFilterForm(forms.Form):
    """The list's search box and filters; bad values are ignored with a message."""

    SORTS = {
        "reference": "reference",
        "title": "title_ar",
        "partner": "partner__name_ar",
        "status": "status",
        "starts_on": "starts_on",
        "ends_on": "ends_on",
    }

    q = SearchField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *AgreementStatus.choices])
    partner = forms.ModelChoiceField(label=_("Partner"), required=False, queryset=Partner.objects.none())
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=[("", _("All")), *Sector.choices])
    kind = forms.ChoiceField(label=_("Clause kind"), required=False, choices=[("", _("All")), *ClauseKind.choices])
    ending_within = forms.IntegerField(label=_("Ending within (days)"), required=False, min_value=1, max_value=3650)
    renewals = forms.BooleanField(label=_("Renewals in progress"), required=False)
    sort = forms.ChoiceField(
        required=False, choices=[(f"{d}{k}", k) for k in SORTS for d in ("", "-")], widget=forms.HiddenInput
    )

    def __init__(self, *args, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners if partners is not None else Partner.objects.none()


class SendForSignatureForm(forms.Form):
    """Who signs: the charity's signatory and one or more partner contacts able to sign."""

    charity_name = forms.CharField(label=_("Charity signatory"), max_length=200, validators=[reject_bidi_controls])
    charity_title = forms.CharField(label=_("Title"), max_length=200, required=False, validators=[reject_bidi_controls])
    charity_email = forms.EmailField(label=_("Email"))
    charity_user = forms.ModelChoiceField(
        label=_("Signs from the account of"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Optional: the charity signatory may then sign from the portal."),
    )
    partner_contacts = forms.ModelMultipleChoiceField(
        label=_("Partner signatories"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one partner signatory.")},
    )
    signing_order = forms.ChoiceField(
        label=_("Signing order"),
        choices=SigningOrder.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("In order, each signatory receives their link when the one before has signed."),
    )
    signer_code = forms.BooleanField(
        label=_("Ask link signers for a code sent to their e-mail before they sign"),
        required=False,
        help_text=_(
            "Recommended: it proves that the person signing reads the signatory's mailbox. "
            "Signers from an account are checked by their login."
        ),
    )

    def __init__(self, *args, agreement: Agreement, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {
            "signing_order": agreement.signing_order,
            "signer_code": agreement.signer_code_required,
            **kwargs["initial"],
        }
        super().__init__(*args, **kwargs)
        from partners.models import Contact

        # Any active contact is listed so a wrong choice gets a message, not a silent drop.
        self.agreement = agreement
        self.fields["partner_contacts"].queryset = Contact.objects.filter(is_active=True, can_sign=True)
        self.fields["partner_contacts"].choices = [
            # Option labels are plain text: a direction control in a name shows as a marker.
            (c.pk, f"{plain_name(c.name)} — {plain_name(c.title)}" if c.title else plain_name(c.name))
            for c in Contact.objects.filter(partner=agreement.partner, is_active=True, can_sign=True)
        ]
        self.fields["charity_user"].queryset = User.objects.filter(is_active=True, partner__isnull=True)
        self.fields["charity_user"].label_from_instance = lambda user: user.display_name

    def clean_charity_name(self):
        name = self.cleaned_data["charity_name"].strip()
        if not any(ch.isalpha() for ch in name):
            # e.g. the "—" an empty charity profile proposes.
            raise forms.ValidationError(
                _("Type the name of the person who signs for the charity (the charity's profile names none yet).")
            )
        return name

    def options(self) -> dict:
        """How they sign, as the send services take it (after is_valid())."""
        return {
            "signing_order": self.cleaned_data["signing_order"] or self.agreement.signing_order,
            "signer_code_required": self.cleaned_data["signer_code"],
        }

    def clean_partner_contacts(self):
        contacts = self.cleaned_data["partner_contacts"]
        if any(c.partner_id != self.agreement.partner_id for c in contacts):
            raise forms.ValidationError(_("A partner signatory must be a contact of this agreement's partner."))
        return contacts

    def signatories(self) -> list[dict]:
        """The signatories chosen, as the send transitions take them (after is_valid())."""
        data = self.cleaned_data
        charity = {
            "party": Party.CHARITY,
            "name": data["charity_name"],
            "title": data["charity_title"],
            "email": data["charity_email"],
            "user": data["charity_user"],
        }
        return [charity] + [
            {"party": Party.PARTNER, "contact": c, "name": c.name_ar, "title": c.title_ar, "email": c.email}
            for c in data["partner_contacts"]
        ]


class TerminateForm(forms.Form):
    # Rendered by hand in agreements/_actions.html, hence the Bootstrap classes here.
    on = forms.DateField(
        label=_("Termination date"), widget=DateInput(attrs={"class": "form-control"}), initial=clock.today
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), max_length=2000
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class SignForm(forms.Form):
    """What a signatory confirms and how they sign."""

    name = forms.CharField(label=_("Your full name"), max_length=200, validators=[reject_bidi_controls])
    title = forms.CharField(label=_("Your title"), max_length=200, required=False, validators=[reject_bidi_controls])
    consent = forms.BooleanField(
        label=_(
            "I agree to sign this agreement electronically, and that my electronic signature binds me "
            "as a handwritten one would."
        ),
        error_messages={"required": _("Tick the box to agree to sign electronically.")},
    )
    method = forms.ChoiceField(
        label=_("How do you sign?"), choices=SignatureMethod.choices, widget=forms.RadioSelect, initial="drawn"
    )
    drawn = forms.CharField(required=False, widget=forms.HiddenInput, max_length=1_400_000)
    typed = forms.CharField(
        label=_("Type your name as your signature"),
        required=False,
        max_length=100,
        validators=[reject_bidi_controls],
    )
    content_hash = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)

    def __init__(self, *args, amendment=None, **kwargs):
        super().__init__(*args, **kwargs)
        if amendment is not None:
            self.fields["consent"].label = _(
                "I agree to sign this amendment electronically, and that my electronic signature binds me "
                "as a handwritten one would."
            )

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == SignatureMethod.DRAWN and not cleaned.get("drawn"):
            self.add_error("drawn", _("Draw your signature in the box, or type it instead."))
        if method == SignatureMethod.TYPED and not (cleaned.get("typed") or "").strip():
            self.add_error("typed", _("Type your name as your signature."))
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline to sign?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount achieved"), min_value=1, max_value=1_000_000)
    reported_on = forms.DateField(label=_("Date"), widget=DateInput(), initial=clock.today)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10_000)
    files = MultipleFileField(
        label=_("Evidence (PDF, PNG or JPEG; up to 5 files)"),
        required=False,
    )
    # Asked for when the amount would pass the target (agreements.progress._check_target).
    confirm_over_target = forms.BooleanField(label=_("I confirm this exceeds the target"), required=False)

    def __init__(self, *args, commitment: Commitment | None = None, **kwargs):
        """`commitment`: the one reported on; one count per category when it asks for a breakdown."""
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.breakdown_keys = []
        if commitment is not None:
            kind = commitment.get_breakdown_display()
            for key, label in breakdowns.categories(commitment.breakdown):
                name = f"b_{key}"
                self.fields[name] = forms.IntegerField(
                    label=f"{kind}: {label}", min_value=0, max_value=1_000_000, required=False
                )
                self.breakdown_keys.append((key, name))
        names = [name for _key, name in self.breakdown_keys]
        self.order_fields(["amount", *names])

    def clean(self):
        """The counts of the breakdown become `breakdown` ({category: count}), checked to add up to the amount."""
        cleaned = super().clean()
        rows = {key: cleaned.pop(name, None) for key, name in self.breakdown_keys}
        cleaned["breakdown"] = {}
        if self.breakdown_keys and cleaned.get("amount") and not self.errors:
            try:
                cleaned["breakdown"] = breakdowns.breakdown_clean(self.commitment.breakdown, rows, cleaned["amount"])
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


class ResubmitForm(ProgressForm):
    """A returned report, corrected: the same fields, prefilled, and a word on what changed."""

    comment = forms.CharField(
        label=_("What did you correct?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].label = _("More evidence (the files already attached stay)")
        names = [name for _key, name in self.breakdown_keys]
        self.order_fields(["amount", *names, "reported_on", "note", "files", "comment", "confirm_over_target"])


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Send back"))])
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PeriodReportForm(forms.Form):
    """The report as a whole: what happened in the period; the quantities are in `PeriodLineForm`s."""

    narrative = forms.CharField(
        label=_("What was done in this period"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    # Asked for when a quantity would pass its commitment's target (agreements.progress._check_target).
    confirm_over_target = forms.BooleanField(label=_("I confirm this exceeds the target"), required=False)


class PeriodLineForm(forms.Form):
    """One commitment's quantity for the period, its beneficiary breakdown and its evidence."""

    amount = forms.IntegerField(label=_("Quantity in this period"), min_value=0, max_value=1_000_000, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("Evidence (PDF, PNG or JPEG; up to 5 files)"), required=False)
    # A phone opens its camera for this one; the photo is checked like any evidence file.
    photo = forms.FileField(
        label=_("Take a photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )

    def __init__(self, *args, commitment: Commitment, **kwargs):
        kwargs.setdefault("prefix", f"c{commitment.pk}")
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.breakdown_keys = []
        for key, label in breakdowns.categories(commitment.breakdown):
            name = f"b_{key}"
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=1_000_000,
                required=False,
                widget=forms.NumberInput(attrs={"min": 0}),
            )
            self.breakdown_keys.append((key, name))
        self.fields["files"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"

    def breakdown_fields(self):
        return [self[name] for _key, name in self.breakdown_keys]

    def other_fields(self):
        return [self[name] for name in ("amount", "note", "files", "photo")]

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("amount") or 0
        cleaned["amount"] = amount
        if self.breakdown_keys and not self.errors:
            rows = {key: cleaned.get(name) for key, name in self.breakdown_keys}
            try:
                cleaned["breakdown"] = breakdowns.breakdown_clean(self.commitment.breakdown, rows, amount)
            except forms.ValidationError as error:
                self.add_error(None, error)
        else:
            cleaned.setdefault("breakdown", {})
        files = list(cleaned.get("files") or [])
        if cleaned.get("photo"):
            files.append(cleaned["photo"])
        cleaned["all_files"] = files
        if files and not amount:
            self.add_error("amount", _("Give the quantity the evidence is for."))
        return cleaned
