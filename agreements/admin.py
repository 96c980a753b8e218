from django.contrib import admin

from .models import Agreement, Clause, Commitment, ProgressUpdate, ReferenceSequence


class ClauseInline(admin.StackedInline):
    model = Clause
    extra = 0
    fields = ["order", "kind", "responsible_party", "text_ar", "text_en"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["reference", "title_ar", "partner", "status", "starts_on", "ends_on", "owner"]
    list_filter = ["status", "partner__sector", "partner", "clauses__kind"]
    search_fields = ["reference", "title_ar", "title_en", "partner__name_ar", "partner__name_en"]
    list_select_related = ["partner", "owner"]
    date_hierarchy = "ends_on"
    readonly_fields = ["reference", "created_at", "updated_at"]
    autocomplete_fields = ["partner", "renews"]
    inlines = [ClauseInline]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["party", "description_ar", "target_quantity", "unit", "due_on", "status"]


@admin.register(Clause)
class ClauseAdmin(admin.ModelAdmin):
    list_display = ["agreement", "order", "kind", "responsible_party"]
    list_filter = ["kind", "responsible_party", "agreement__partner"]
    search_fields = ["text_ar", "text_en", "agreement__reference", "agreement__title_ar"]
    list_select_related = ["agreement"]
    inlines = [CommitmentInline]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["description_ar", "clause", "party", "target_quantity", "unit", "due_on", "status"]
    list_filter = ["party", "status", "unit", "clause__kind", "clause__agreement__partner"]
    search_fields = ["description_ar", "description_en", "clause__agreement__reference"]
    list_select_related = ["clause__agreement"]
    date_hierarchy = "due_on"


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["commitment", "reported_on", "amount", "status", "reported_by"]
    list_filter = ["status", "commitment__clause__kind", "commitment__clause__agreement__partner"]
    search_fields = ["note", "commitment__description_ar", "commitment__clause__agreement__reference"]
    list_select_related = ["commitment", "reported_by"]
    date_hierarchy = "reported_on"


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(admin.ModelAdmin):
    list_display = ["year", "last_number"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
