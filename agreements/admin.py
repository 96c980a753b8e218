from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import lifecycle
from .models import (
    Agreement,
    Amendment,
    Attachment,
    Clause,
    Commitment,
    ProgressUpdate,
    ReferenceSequence,
    SigningRequest,
)


class LockedContentMixin:
    """Content of an agreement that left draft is read-only here too (the model refuses it anyway)."""

    def _agreement_of(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        agreement = self._agreement_of(obj) if obj is not None else None
        if agreement is not None and agreement.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        agreement = self._agreement_of(obj) if obj is not None else None
        if agreement is not None and agreement.is_locked:
            return False
        return super().has_delete_permission(request, obj)


class ClauseInline(LockedContentMixin, admin.StackedInline):
    model = Clause
    extra = 0
    fields = ["order", "kind", "responsible_party", "text_ar", "text_en"]

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_add_permission(request, obj)


def _run_transition(modeladmin, request, queryset, name: str, **params):
    done = 0
    for agreement in queryset:
        try:
            lifecycle.transition(agreement, name, by=request.user, **params)
        except lifecycle.TransitionError as error:
            modeladmin.message_user(request, f"{agreement.reference}: {error.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, _("%(count)d agreement(s) updated.") % {"count": done}, messages.SUCCESS)


@admin.action(description=_("Mark expired (agreements past their end date)"))
def expire_agreements(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, "expire")


@admin.action(description=_("Pull back to draft (only while no one has signed)"))
def recall_agreements(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, "recall")


@admin.register(Agreement)
class AgreementAdmin(LockedContentMixin, SimpleHistoryAdmin):
    list_display = ["reference", "title_ar", "partner", "status", "starts_on", "ends_on", "owner"]
    list_filter = ["status", "partner__sector", "partner", "clauses__kind"]
    search_fields = ["reference", "title_ar", "title_en", "partner__name_ar", "partner__name_en", "search_text"]
    list_select_related = ["partner", "owner"]
    date_hierarchy = "ends_on"
    # Status changes only through the lifecycle (the admin actions below).
    readonly_fields = [
        "reference",
        "status",
        "signed_on",
        "terminated_on",
        "termination_reason",
        "content_hash",
        "sent_at",
        "activated_at",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["partner", "renews"]
    inlines = [ClauseInline]
    actions = [expire_agreements, recall_agreements]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def get_search_results(self, request, queryset, search_term):
        from qatif_partnerships.search import normalize

        return super().get_search_results(request, queryset, normalize(search_term) or search_term)


class CommitmentInline(LockedContentMixin, admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["party", "description_ar", "target_quantity", "unit", "due_on", "status"]

    def _agreement_of(self, obj):
        return obj.agreement

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.agreement.is_locked:
            return False
        return super().has_add_permission(request, obj)


@admin.register(Clause)
class ClauseAdmin(LockedContentMixin, SimpleHistoryAdmin):
    list_display = ["agreement", "order", "kind", "responsible_party"]
    list_filter = ["kind", "responsible_party", "agreement__partner"]
    search_fields = ["text_ar", "text_en", "agreement__reference", "agreement__title_ar"]
    list_select_related = ["agreement"]
    inlines = [CommitmentInline]

    def _agreement_of(self, obj):
        return obj.agreement


@admin.register(Commitment)
class CommitmentAdmin(LockedContentMixin, SimpleHistoryAdmin):
    list_display = ["description_ar", "clause", "party", "target_quantity", "unit", "due_on", "status"]
    list_filter = ["party", "status", "unit", "clause__kind", "clause__agreement__partner"]
    search_fields = ["description_ar", "description_en", "clause__agreement__reference"]
    list_select_related = ["clause__agreement"]
    date_hierarchy = "due_on"

    def _agreement_of(self, obj):
        return obj.clause.agreement


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["commitment", "reported_on", "amount", "status", "reported_by"]
    list_filter = ["status", "commitment__clause__kind", "commitment__clause__agreement__partner"]
    search_fields = ["note", "commitment__description_ar", "commitment__clause__agreement__reference"]
    list_select_related = ["commitment", "reported_by"]
    date_hierarchy = "reported_on"


@admin.register(Amendment)
class AmendmentAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "number", "title_ar", "status", "effective_on"]
    list_filter = ["status"]
    search_fields = ["title_ar", "title_en", "text_ar", "agreement__reference"]
    list_select_related = ["agreement"]
    readonly_fields = ["number", "status", "content_hash", "created_by", "created_at"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "agreement", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "description", "agreement__reference"]
    list_select_related = ["agreement", "uploaded_by"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(SigningRequest)
class SigningRequestAdmin(admin.ModelAdmin):
    list_display = ["agreement", "party", "name", "email", "status", "created_at"]
    list_filter = ["status", "party"]
    search_fields = ["name", "email", "agreement__reference"]
    list_select_related = ["agreement"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(admin.ModelAdmin):
    list_display = ["year", "last_number"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
