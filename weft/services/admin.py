"""Admin: the catalogue is editable (audited); money records are read-only — money moves only
through vouchers.py, and the ledger is append-only."""

from django.contrib import admin

from weft.audit.mixins import AuditedAdminMixin

from .models import (
    Account,
    Entry,
    LedgerTransaction,
    Redemption,
    Service,
    ServiceOrder,
    Settlement,
    Voucher,
    VoucherApplication,
    VoucherProgramme,
)


@admin.register(Service)
class ServiceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title_zh",
        "provider",
        "category",
        "price",
        "price_unit",
        "cnas_number",
        "is_active",
    )
    list_filter = ("category", "is_active")
    search_fields = ("title_zh", "title_en", "provider__name_zh", "cnas_number")
    raw_id_fields = ("provider",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "service", "firm", "provider", "status", "quote_amount", "created_at")
    list_filter = ("status",)


@admin.register(VoucherProgramme)
class VoucherProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("name_zh", "issuer", "budget", "subsidy_ratio", "apply_from", "apply_until")


@admin.register(VoucherApplication)
class VoucherApplicationAdmin(ReadOnlyAdmin):
    list_display = ("id", "programme", "firm", "amount", "status", "created_at")
    list_filter = ("status",)


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ("id", "programme", "firm", "amount", "expires_on", "status")
    list_filter = ("status",)


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyAdmin):
    list_display = ("id", "programme", "voucher", "order", "subsidy", "status", "created_at")


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ("id", "programme", "provider", "amount", "status", "claimed_at", "paid_at")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "programme", "organisation", "balance")
    list_filter = ("kind",)


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ("account", "amount")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "programme", "reference", "reverses", "created_at", "created_by")
    list_filter = ("kind",)
    inlines = [EntryInline]
