from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from common.counting import counted
from common.http import origin
from common.templatetags.arabic import dual_date
from spreadsheets.exports import ExportAdminMixin

from . import lifecycle
from .measures import (
    agreement_counted,
    agreement_target,
    has_overdue_commitments,
    percent,
)
from .models import (
    Agreement,
    Amendment,
    Attachment,
    Clause,
    Commitment,
    PeriodReport,
    ProgressComment,
    ProgressUpdate,
    ReferenceSequence,
    SigningRequest,
    overdue_q,
)
from .resources import (
    AgreementResource,
    AmendmentResource,
    AttachmentResource,
    ClauseResource,
    CommitmentResource,
    ProgressUpdateResource,
    SigningRequestResource,
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
    done = refused = 0
    for agreement in queryset:
        try:
            lifecycle.transition(agreement, name, by=request.user, **origin(request), **params)
        except lifecycle.TransitionError as error:
            refused += 1
            modeladmin.message_user(request, f"{agreement.reference}: {error.message}", messages.ERROR)
        else:
            done += 1
    if done:
        updated = ngettext("%(count)d agreement updated.", "%(count)d agreements updated.", done) % {"count": done}
        modeladmin.message_user(request, updated, messages.SUCCESS)
    elif not refused:
        # The selected rows were deleted meanwhile (or the ids were made up).
        modeladmin.message_user(request, _("None of the selected agreements was found."), messages.WARNING)


@admin.action(description=_("Mark expired (agreements past their end date)"))
def expire_agreements(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, "expire")


@admin.action(description=_("Pull back to draft (only while no one has signed)"))
def recall_agreements(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, "recall")


class EndingWithinFilter(admin.SimpleListFilter):
    """Active agreements whose end date falls in the next 30, 60 or 90 days."""

    title = _("ending within")
    parameter_name = "ending_within"

    def lookups(self, request, model_admin):
        return [(str(days), counted(days, "day")) for days in (30, 60, 90)]

    def queryset(self, request, queryset):
        if self.value() in {"30", "60", "90"}:
            return queryset.ending_within(int(self.value()))
        return queryset


class OverdueCommitmentsFilter(admin.SimpleListFilter):
    """Agreements with at least one commitment past its due date and not achieved or cancelled."""

    title = _("overdue commitments")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Has overdue commitments")), ("no", _("No overdue commitments"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_overdue_commitments())
        if self.value() == "no":
            return queryset.exclude(has_overdue_commitments())
        return queryset


@admin.register(Agreement)
class AgreementAdmin(ExportAdminMixin, LockedContentMixin, SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title_ar",
        "partner",
        "status",
        "ends",
        "days_left",
        "progress",
        "owner",
    ]
    list_filter = [
        "status",
        "partner__sector",
        "partner",
        "clauses__kind",
        EndingWithinFilter,
        OverdueCommitmentsFilter,
    ]
    search_fields = ["reference", "title_ar", "title_en", "partner__name_ar", "partner__name_en", "search_text"]
    list_select_related = ["partner", "owner"]
    list_per_page = 100
    date_hierarchy = "ends_on"
    resource_classes = [AgreementResource]

    class Media:
        css = {"all": ["css/admin-lists.css"]}

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

    def response_action(self, request, queryset):
        """Refuse a selection that is not a list of ids; Django's admin would fail on it with a 500."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(value.isascii() and value.isdigit() and len(value) < 19 for value in selected):
            self.message_user(
                request, _("The selection was not understood; choose the agreements again."), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_search_results(self, request, queryset, search_term):
        from common.search import terms

        # search_text holds terms (stems), so the admin looks for the terms of what was typed.
        stemmed = " ".join(dict.fromkeys(terms(search_term)))
        return super().get_search_results(request, queryset, stemmed or search_term)

    def get_queryset(self, request):
        # Progress in the same query as the page: one subquery per figure, no join fan-out.
        return (
            super()
            .get_queryset(request)
            .annotate(progress_target=agreement_target(), progress_counted=agreement_counted())
        )

    @admin.display(description=_("ends on"), ordering="ends_on")
    def ends(self, obj):
        return dual_date(obj.ends_on)

    @admin.display(description=_("days left"), ordering="ends_on")
    def days_left(self, obj):
        return obj.days_left

    @admin.display(description=_("progress %"))
    def progress(self, obj):
        value = percent(obj.progress_counted, obj.progress_target)
        if value is None:
            return "—"
        return format_html('<meter min="0" max="100" value="{}"></meter> <bdi dir="ltr">{}%</bdi>', value, value)


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
class ClauseAdmin(ExportAdminMixin, LockedContentMixin, SimpleHistoryAdmin):
    list_display = ["agreement", "partner", "order", "kind", "responsible_party", "agreement_status"]
    list_filter = ["kind", "responsible_party", "agreement__status", "agreement__partner__sector", "agreement__partner"]
    search_fields = ["text_ar", "text_en", "agreement__reference", "agreement__title_ar"]
    list_select_related = ["agreement__partner"]
    list_per_page = 100
    resource_classes = [ClauseResource]

    @admin.display(description=_("partner"), ordering="agreement__partner__name_ar")
    def partner(self, obj):
        return obj.agreement.partner

    @admin.display(description=_("status"), ordering="agreement__status")
    def agreement_status(self, obj):
        return obj.agreement.get_status_display()

    inlines = [CommitmentInline]

    def _agreement_of(self, obj):
        return obj.agreement


class OverdueFilter(admin.SimpleListFilter):
    """Past the due date, neither achieved nor cancelled (`Commitment.is_overdue`)."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


@admin.register(Commitment)
class CommitmentAdmin(ExportAdminMixin, LockedContentMixin, SimpleHistoryAdmin):
    list_display = [
        "description_ar",
        "agreement",
        "partner",
        "kind",
        "party",
        "target_quantity",
        "achieved_display",
        "progress",
        "unit",
        "due",
        "status",
        "overdue",
    ]
    list_filter = [
        OverdueFilter,
        "party",
        "status",
        "unit",
        "clause__kind",
        "clause__agreement__status",
        "clause__agreement__partner__sector",
        "clause__agreement__partner",
    ]
    search_fields = [
        "description_ar",
        "description_en",
        "clause__agreement__reference",
        "clause__agreement__partner__name_ar",
        "clause__agreement__partner__name_en",
    ]
    list_select_related = ["clause__agreement__partner"]
    list_per_page = 100
    date_hierarchy = "due_on"
    resource_classes = [CommitmentResource]

    class Media:
        css = {"all": ["css/admin-lists.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    @admin.display(description=_("agreement"), ordering="clause__agreement__reference")
    def agreement(self, obj):
        return format_html('<bdi dir="ltr">{}</bdi>', obj.clause.agreement.reference)

    @admin.display(description=_("partner"), ordering="clause__agreement__partner__name_ar")
    def partner(self, obj):
        return obj.clause.agreement.partner

    @admin.display(description=_("kind"), ordering="clause__kind")
    def kind(self, obj):
        return obj.clause.get_kind_display()

    @admin.display(description=_("achieved"), ordering="achieved")
    def achieved_display(self, obj):
        return obj.achieved

    @admin.display(description=_("progress %"))
    def progress(self, obj):
        return format_html('<bdi dir="ltr">{}%</bdi>', obj.progress_percent)

    @admin.display(description=_("due on"), ordering="due_on")
    def due(self, obj):
        return dual_date(obj.due_on)

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    def _agreement_of(self, obj):
        return obj.clause.agreement


class ProgressCommentInline(admin.TabularInline):
    """The report's review thread, read only: it is written by the review cycle (agreements.progress)."""

    model = ProgressComment
    fields = ["created_at", "author", "kind", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ExportAdminMixin, admin.ModelAdmin):
    inlines = [ProgressCommentInline]
    list_display = ["commitment", "agreement", "reported_on", "amount", "status", "reported_by"]
    list_filter = ["status", "commitment__clause__kind", "commitment__clause__agreement__partner"]
    search_fields = ["note", "commitment__description_ar", "commitment__clause__agreement__reference"]
    list_select_related = ["commitment__clause__agreement", "reported_by"]
    list_per_page = 100
    date_hierarchy = "reported_on"
    resource_classes = [ProgressUpdateResource]
    # A report is accepted or returned only through the review (agreements.progress.progress_review),
    # which notifies the reporter and counts the quantity; the admin shows the outcome.
    readonly_fields = ["status", "reviewed_by", "reviewed_at"]

    @admin.display(description=_("agreement"), ordering="commitment__clause__agreement__reference")
    def agreement(self, obj):
        return format_html('<bdi dir="ltr">{}</bdi>', obj.commitment.clause.agreement.reference)


@admin.register(PeriodReport)
class PeriodReportAdmin(admin.ModelAdmin):
    """Read-mostly: the sweep opens period reports and the party submits them through the portal."""

    list_display = ["agreement", "party", "number", "starts_on", "ends_on", "due_on", "status", "submitted_at"]
    list_filter = ["status", "party", "schedule", "agreement__partner"]
    search_fields = ["agreement__reference", "narrative"]
    list_select_related = ["agreement"]
    date_hierarchy = "due_on"
    list_per_page = 100
    readonly_fields = [
        "agreement",
        "party",
        "schedule",
        "number",
        "starts_on",
        "ends_on",
        "due_on",
        "status",
        "submitted_by",
        "submitted_at",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Amendment)
class AmendmentAdmin(ExportAdminMixin, SimpleHistoryAdmin):
    list_display = ["agreement", "number", "title_ar", "status", "effective_on"]
    list_filter = ["status"]
    search_fields = ["title_ar", "title_en", "text_ar", "agreement__reference"]
    # The change set is written by the amendment editor, which checks it against the agreement.
    readonly_fields = ["number", "status", "changes", "content_hash", "created_by", "created_at"]
    list_select_related = ["agreement__partner", "created_by"]
    resource_classes = [AmendmentResource]


@admin.register(Attachment)
class AttachmentAdmin(ExportAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "agreement", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "description", "agreement__reference"]
    list_select_related = ["agreement__partner", "uploaded_by"]
    resource_classes = [AttachmentResource]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(SigningRequest)
class SigningRequestAdmin(ExportAdminMixin, admin.ModelAdmin):
    list_display = ["agreement", "party", "name", "email", "status", "created_at"]
    list_filter = ["status", "party"]
    search_fields = ["name", "email", "agreement__reference"]
    list_select_related = ["agreement__partner", "amendment"]
    resource_classes = [SigningRequestResource]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(admin.ModelAdmin):
    list_display = ["year", "last_number"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
