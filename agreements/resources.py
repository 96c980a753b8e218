"""Spreadsheet columns of agreements, clauses, commitments and progress (export only)."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from spreadsheets.resources import ExportOnlyResource, column, hijri_text

from .measures import percent
from .models import Agreement, Amendment, Attachment, Clause, Commitment, ProgressUpdate, SigningRequest


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


class SigningRequestResource(ExportOnlyResource):
    """Who was asked to sign what, and what became of it. Never the link's or code's hash,
    nor the signature itself (its drawn image stays in the sealed PDF)."""

    agreement = column(SigningRequest, "agreement__reference", label=capfirst(_("agreement")))
    partner = column(SigningRequest, "agreement__partner", lookup="name_ar")
    amendment = column(SigningRequest, "amendment__number", label=capfirst(_("amendment")))
    party = column(SigningRequest, "party")
    position = column(SigningRequest, "position")
    name = column(SigningRequest, "name")
    # The signer's job title, as a contact's: one Arabic word for both.
    title = column(SigningRequest, "title", label=capfirst(_("job title")))
    email = column(SigningRequest, "email")
    status = column(SigningRequest, "status")
    sent_at = column(SigningRequest, "sent_at")
    send_count = column(SigningRequest, "send_count")
    token_expires_at = column(SigningRequest, "token_expires_at")
    opened_at = column(SigningRequest, "opened_at")
    responded_at = column(SigningRequest, "responded_at")
    decline_reason = column(SigningRequest, "decline_reason")
    created_at = column(SigningRequest, "created_at")

    class Meta(ExportOnlyResource.Meta):
        model = SigningRequest
        fields = (
            "agreement",
            "partner",
            "amendment",
            "party",
            "position",
            "name",
            "title",
            "email",
            "status",
            "sent_at",
            "send_count",
            "token_expires_at",
            "opened_at",
            "responded_at",
            "decline_reason",
            "created_at",
        )


class AttachmentResource(ExportOnlyResource):
    """An attachment's record; the file itself is downloaded from the agreement's page."""

    agreement = column(Attachment, "agreement__reference", label=capfirst(_("agreement")))
    partner = column(Attachment, "agreement__partner", lookup="name_ar")
    original_name = column(Attachment, "original_name")
    description = column(Attachment, "description")
    content_type = column(Attachment, "content_type")
    size = column(Attachment, "size")
    uploaded_by = column(Attachment, "uploaded_by", lookup="username")
    uploaded_at = column(Attachment, "uploaded_at")

    class Meta(ExportOnlyResource.Meta):
        model = Attachment
        fields = (
            "agreement",
            "partner",
            "original_name",
            "description",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
        )


class AmendmentResource(ExportOnlyResource):
    agreement = column(Amendment, "agreement__reference", label=capfirst(_("agreement")))
    partner = column(Amendment, "agreement__partner", lookup="name_ar")
    number = column(Amendment, "number")
    title_ar = column(Amendment, "title_ar", label=_("Amendment title (Arabic)"))
    title_en = column(Amendment, "title_en", label=_("Amendment title (English)"))
    text_ar = column(Amendment, "text_ar")
    effective_on = column(Amendment, "effective_on")
    effective_on_hijri = Field(column_name=_("effective on (Hijri)"))
    status = column(Amendment, "status")
    sent_at = column(Amendment, "sent_at")
    signed_on = column(Amendment, "signed_on")
    in_force_at = column(Amendment, "in_force_at")
    created_by = column(Amendment, "created_by", lookup="username")
    created_at = column(Amendment, "created_at")

    class Meta(ExportOnlyResource.Meta):
        model = Amendment
        fields = (
            "agreement",
            "partner",
            "number",
            "title_ar",
            "title_en",
            "text_ar",
            "effective_on",
            "effective_on_hijri",
            "status",
            "sent_at",
            "signed_on",
            "in_force_at",
            "created_by",
            "created_at",
        )

    def dehydrate_effective_on_hijri(self, amendment):
        return hijri_text(amendment.effective_on)
