"""Spreadsheet columns of agreements, clauses, commitments and progress (export only)."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from spreadsheets.resources import ExportOnlyResource, column, hijri_text

from .measures import percent
from .models import Agreement, Clause, Commitment, ProgressUpdate


class AgreementResource(ExportOnlyResource):
    reference = column(Agreement, "reference")
    # «العنوان» alone is a partner's address in the partners' export: one Arabic word per meaning.
    title_ar = column(Agreement, "title_ar", label=_("Agreement title (Arabic)"))
    title_en = column(Agreement, "title_en", label=_("Agreement title (English)"))
    partner = column(Agreement, "partner", lookup="name_ar")
    sector = column(Agreement, "partner__sector")
    status = column(Agreement, "status")
    signed_on = column(Agreement, "signed_on")
    starts_on = column(Agreement, "starts_on")
    starts_on_hijri = Field(column_name=_("starts on (Hijri)"))
    ends_on = column(Agreement, "ends_on")
    ends_on_hijri = Field(column_name=_("ends on (Hijri)"))
    days_left = Field(column_name=_("days left"), widget=widgets.IntegerWidget(coerce_to_string=False))
    progress = Field(column_name=_("progress %"), widget=widgets.IntegerWidget(coerce_to_string=False))
    owner = column(Agreement, "owner", lookup="username")

    class Meta(ExportOnlyResource.Meta):
        model = Agreement
        fields = (
            "reference",
            "title_ar",
            "title_en",
            "partner",
            "sector",
            "status",
            "signed_on",
            "starts_on",
            "starts_on_hijri",
            "ends_on",
            "ends_on_hijri",
            "days_left",
            "progress",
            "owner",
        )

    def dehydrate_starts_on_hijri(self, agreement):
        return hijri_text(agreement.starts_on)

    def dehydrate_ends_on_hijri(self, agreement):
        return hijri_text(agreement.ends_on)

    def dehydrate_days_left(self, agreement):
        return agreement.days_left

    def dehydrate_progress(self, agreement):
        # Annotated by AgreementAdmin.get_queryset (target and capped progress).
        return percent(getattr(agreement, "progress_counted", None), getattr(agreement, "progress_target", None))


class ClauseResource(ExportOnlyResource):
    agreement = column(Clause, "agreement__reference", label=capfirst(_("agreement")))
    partner = column(Clause, "agreement__partner", lookup="name_ar")
    order = column(Clause, "order")
    kind = column(Clause, "kind")
    responsible_party = column(Clause, "responsible_party")
    text_ar = column(Clause, "text_ar")
    text_en = column(Clause, "text_en")

    class Meta(ExportOnlyResource.Meta):
        model = Clause
        fields = (
            "agreement",
            "partner",
            "order",
            "kind",
            "responsible_party",
            "text_ar",
            "text_en",
        )


class CommitmentResource(ExportOnlyResource):
    agreement = column(Commitment, "clause__agreement__reference", label=capfirst(_("agreement")))
    partner = column(Commitment, "clause__agreement__partner", lookup="name_ar")
    kind = column(Commitment, "clause__kind")
    party = column(Commitment, "party")
    description_ar = column(Commitment, "description_ar")
    target_quantity = column(Commitment, "target_quantity")
    achieved = Field(column_name=_("achieved"), widget=widgets.IntegerWidget(coerce_to_string=False))
    unit = column(Commitment, "unit")
    due_on = column(Commitment, "due_on")
    due_on_hijri = Field(column_name=_("due on (Hijri)"))
    status = column(Commitment, "status")

    class Meta(ExportOnlyResource.Meta):
        model = Commitment
        fields = (
            "agreement",
            "partner",
            "kind",
            "party",
            "description_ar",
            "target_quantity",
            "achieved",
            "unit",
            "due_on",
            "due_on_hijri",
            "status",
        )

    def dehydrate_achieved(self, commitment):
        return getattr(commitment, "achieved", None)

    def dehydrate_due_on_hijri(self, commitment):
        return hijri_text(commitment.due_on)


class ProgressUpdateResource(ExportOnlyResource):
    agreement = column(ProgressUpdate, "commitment__clause__agreement__reference", label=capfirst(_("agreement")))
    commitment = column(ProgressUpdate, "commitment__description_ar", label=capfirst(_("commitment")))
    reported_on = column(ProgressUpdate, "reported_on")
    amount = column(ProgressUpdate, "amount")
    status = column(ProgressUpdate, "status")
    reported_by = column(ProgressUpdate, "reported_by", lookup="username")
    note = column(ProgressUpdate, "note")

    class Meta(ExportOnlyResource.Meta):
        model = ProgressUpdate
        fields = (
            "agreement",
            "commitment",
            "reported_on",
            "amount",
            "status",
            "reported_by",
            "note",
        )
