"""Owner admin for the catalog: categories, option groups with options, products with CSV in/out."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import DomainError
from apps.core.money import format_won
from apps.stores.admin_base import OwnerScopedAdmin, OwnerScopedInline

from . import services
from .models import Category, Option, OptionGroup, Product, ProductOptionGroup, TaxType
from .validators import validate_product_image

CSV_COLUMNS = [
    "id",
    "name",
    "name_en",
    "base_price",
    "tax_type",
    "sku",
    "barcode",
    "is_active",
    "categories",
    "description",
]


class OwnedAdmin(OwnerScopedAdmin):
    """Owner-level catalog rows: the owner is set from the session and never shown to owners."""

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded if request.user.is_superuser else [*excluded, "owner"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The form checks per-owner uniqueness itself (the owner field is not on it).
        form.request_owner = None if request.user.is_superuser else request.user
        return form

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


class ParentPermissionInline(OwnerScopedInline):
    """Inline rows are part of their parent: whoever may change the parent may edit them."""

    def _parent_perm(self, request, action: str) -> bool:
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")

    def has_add_permission(self, request, obj=None):
        return self._parent_perm(request, "change") or self._parent_perm(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._parent_perm(request, "change") or self._parent_perm(request, "add")

    def has_delete_permission(self, request, obj=None):
        return self._parent_perm(request, "change")

    def has_view_permission(self, request, obj=None):
        return self._parent_perm(request, "view") or self._parent_perm(request, "change")


@admin.register(Category)
class CategoryAdmin(OwnedAdmin):
    list_display = ["name", "name_en", "parent", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name", "name_en"]
    # RelatedOnly: the filter lists only categories in the owner's own queryset, never another owner's.
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]


class OptionInline(ParentPermissionInline, admin.TabularInline):
    model = Option
    extra = 1
    fields = ["name", "name_en", "price_delta", "is_sold_out", "sort_order"]


class OptionGroupForm(forms.ModelForm):
    class Meta:
        model = OptionGroup
        fields = ["owner", "name", "name_en", "min_choices", "max_choices", "required"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_choices"), cleaned.get("max_choices")
        if low is not None and high is not None:
            if high < 1:
                self.add_error("max_choices", _("최대 선택 수는 1 이상이어야 합니다."))
            elif high < low:
                self.add_error("max_choices", _("최대 선택 수는 최소 선택 수보다 작을 수 없습니다."))
        return cleaned


@admin.register(OptionGroup)
class OptionGroupAdmin(OwnedAdmin):
    form = OptionGroupForm
    list_display = ["name", "name_en", "required", "min_choices", "max_choices", "option_names"]
    search_fields = ["name", "name_en"]
    inlines = [OptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("options")

    @admin.display(description=gettext_lazy("옵션"))
    def option_names(self, obj):
        return ", ".join(option.name for option in obj.options.all())


class ProductOptionGroupInline(ParentPermissionInline, admin.TabularInline):
    """The product's option groups, chosen (or made with the "+" next to the list) on the product
    itself; each row shows the group's choices, so the owner sees what the customer will pick."""

    model = ProductOptionGroup
    extra = 1
    fields = ["group", "choices", "sort_order"]
    readonly_fields = ["choices"]
    verbose_name = gettext_lazy("옵션 그룹")
    verbose_name_plural = gettext_lazy("옵션 그룹")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group").prefetch_related("group__options")

    @admin.display(description=gettext_lazy("선택지"))
    def choices(self, obj):
        if not obj.pk:
            return "—"
        return ", ".join(
            f"{option.name} (+{format_won(option.price_delta)})" if option.price_delta else option.name
            for option in obj.group.options.all()
        )


class ProductAdminForm(forms.ModelForm):
    # A plain file field: Django's ImageField would answer a bomb with a vague "invalid image".
    image = forms.FileField(
        label=gettext_lazy("이미지"),
        required=False,
        widget=forms.ClearableFileInput,
        validators=[validate_product_image],
        help_text=gettext_lazy("JPEG, PNG, WebP · 최대 10MB · 최대 4천만 화소"),
    )
    request_owner = None

    class Meta:
        model = Product
        fields = [
            "owner",
            "name",
            "name_en",
            "description",
            "base_price",
            "tax_type",
            "sku",
            "barcode",
            "image",
            "is_active",
            "categories",
        ]
        # Tick boxes, not Django's two-box filter: a café has a handful of categories, and that
        # widget's script breaks the "+" next to the option group (the new group never reached
        # the product's list: Django's SelectBox cache has no entry for the inline's empty row).
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def clean(self):
        cleaned = super().clean()
        owner = self.request_owner or cleaned.get("owner") or getattr(self.instance, "owner", None)
        if owner is not None:
            others = Product.objects.filter(owner=owner).exclude(pk=self.instance.pk)
            for field in ("sku", "barcode"):
                value = cleaned.get(field)
                if value and others.filter(**{field: value}).exists():
                    self.add_error(field, _("같은 값의 상품이 이미 있습니다."))
        return cleaned


class ImageStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("이미지")
    parameter_name = "image_status"

    def lookups(self, request, model_admin):
        return [("READY", _("썸네일 있음")), ("PENDING", _("처리 중")), ("FAILED", _("실패")), ("NONE", _("없음"))]

    def queryset(self, request, queryset):
        return queryset.filter(image_status=self.value()) if self.value() else queryset


@admin.register(Product)
class ProductAdmin(OwnedAdmin):
    form = ProductAdminForm
    change_list_template = "admin/catalog/product/change_list.html"
    list_display = ["preview", "name", "name_en", "base_price_won", "tax_type", "sku", "is_active", "image_status"]
    list_display_links = ["preview", "name"]
    list_filter = ["is_active", "tax_type", ("categories", admin.RelatedOnlyFieldListFilter), ImageStatusFilter]
    search_fields = ["name", "name_en", "sku", "barcode"]
    readonly_fields = ["large_preview", "image_status", "image_error"]
    inlines = [ProductOptionGroupInline]
    actions = ["export_csv", "archive", "rebuild_images"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=gettext_lazy("가격"), ordering="base_price")
    def base_price_won(self, obj):
        return format_won(obj.base_price)

    @admin.display(description=gettext_lazy("미리보기"))
    def preview(self, obj):
        field = obj.thumbnail if obj.thumbnail else obj.image
        if not field:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="width:48px;height:48px;object-fit:cover;border-radius:6px">', field.url
        )

    @admin.display(description=gettext_lazy("키오스크 이미지"))
    def large_preview(self, obj):
        field = obj.image_large if obj.image_large else obj.image
        if not field:
            return _("이미지 없음")
        return format_html('<img src="{}" alt="" style="max-width:320px;border-radius:8px">', field.url)

    def save_model(self, request, obj, form, change):
        image_changed = "image" in form.changed_data and bool(obj.image)
        if image_changed:
            obj.image_status = "PENDING"
        super().save_model(request, obj, form, change)
        if image_changed:
            services.product_images_schedule(obj)

    # --- actions ---

    @admin.action(description=gettext_lazy("선택한 상품 CSV로 내보내기"))
    def export_csv(self, request, queryset):
        return _csv_response(queryset)

    @admin.action(description=gettext_lazy("선택한 상품 보관(판매 중지)"))
    def archive(self, request, queryset):
        for product in queryset:
            services.product_archive(product)
        messages.success(request, _("%(n)d개 상품을 보관했습니다.") % {"n": queryset.count()})

    @admin.action(description=gettext_lazy("썸네일 다시 만들기"))
    def rebuild_images(self, request, queryset):
        for product in queryset.exclude(image=""):
            services.product_images_schedule(product)
        messages.success(request, _("썸네일 작업을 예약했습니다."))

    # --- CSV import / export views ---

    def get_urls(self):
        extra = [
            path("export-csv/", self.admin_site.admin_view(self.export_all_view), name="catalog_product_export"),
            path("import-csv/", self.admin_site.admin_view(self.import_view), name="catalog_product_import"),
        ]
        return extra + super().get_urls()

    def export_all_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _csv_response(self.get_queryset(request).order_by("id"))

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProductImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            owner = request.user if not request.user.is_superuser else form.cleaned_data.get("owner") or request.user
            try:
                created, updated = product_import_csv(owner, form.cleaned_data["file"])
            except DomainError as err:
                form.add_error("file", err.message)
            else:
                messages.success(
                    request, _("CSV 가져오기 완료: %(c)d개 추가, %(u)d개 수정.") % {"c": created, "u": updated}
                )
                return redirect(reverse("admin:catalog_product_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("상품 CSV 가져오기"),
            "columns": ", ".join(CSV_COLUMNS),
        }
        return render(request, "admin/catalog/product/import.html", context, status=422 if form.errors else 200)


class ProductImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV 파일 (UTF-8)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("CSV 파일은 2MB 이하여야 합니다."))
        return upload


def _csv_response(queryset) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="products.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 Korean correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for product in queryset.prefetch_related("categories"):
        writer.writerow(
            [
                product.pk,
                product.name,
                product.name_en,
                product.base_price,
                product.tax_type,
                product.sku,
                product.barcode,
                "1" if product.is_active else "0",
                "|".join(category.name for category in product.categories.all()),
                product.description,
            ]
        )
    return response


def product_import_csv(owner, upload) -> tuple[int, int]:
    """Create or update the owner's products from CSV (matched by SKU, else by id). All or nothing."""
    from django.db import transaction

    from apps.core.errors import Invalid

    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("INVALID_CSV", _("CSV 파일은 UTF-8 인코딩이어야 합니다.")) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"name", "base_price"} <= set(reader.fieldnames):
        raise Invalid("INVALID_CSV", _("CSV에 name, base_price 열이 있어야 합니다."))
    categories = {c.name: c for c in Category.objects.filter(owner=owner)}
    created = updated = 0
    with transaction.atomic():
        for line_no, row in enumerate(reader, start=2):
            try:
                price = int((row.get("base_price") or "").replace(",", "").strip())
            except ValueError:
                raise Invalid("INVALID_CSV", _("%(n)d행: 가격은 정수(원)여야 합니다.") % {"n": line_no}) from None
            tax_type = (row.get("tax_type") or TaxType.TAXABLE).strip() or TaxType.TAXABLE
            names = [n.strip() for n in (row.get("categories") or "").split("|") if n.strip()]
            unknown = [n for n in names if n not in categories]
            if unknown:
                raise Invalid(
                    "INVALID_CSV", _("%(n)d행: 없는 카테고리 %(c)s") % {"n": line_no, "c": ", ".join(unknown)}
                )
            sku = (row.get("sku") or "").strip()
            existing = None
            if sku:
                existing = Product.objects.filter(owner=owner, sku=sku).first()
            if existing is None and (row.get("id") or "").strip().isdigit():
                existing = Product.objects.filter(owner=owner, pk=int(row["id"])).first()
            fields = {
                "name": (row.get("name") or "").strip(),
                "name_en": (row.get("name_en") or "").strip(),
                "base_price": price,
                "tax_type": tax_type,
                "sku": sku,
                "barcode": (row.get("barcode") or "").strip(),
                "description": (row.get("description") or "").strip(),
                "is_active": (row.get("is_active") or "1").strip() not in ("0", "false", "False", ""),
            }
            try:
                if existing is None:
                    product = services.product_create(
                        owner,
                        **{k: v for k, v in fields.items() if k != "is_active"},
                        is_active=fields["is_active"],
                        category_ids=[categories[n].pk for n in names],
                    )
                    created += 1
                else:
                    _check_row(existing, fields)
                    for key, value in fields.items():
                        setattr(existing, key, value)
                    existing.full_clean(exclude=["image", "thumbnail", "image_large"])
                    existing.save()
                    existing.categories.set([categories[n] for n in names])
                    product = existing
                    updated += 1
            except DomainError as err:
                raise Invalid("INVALID_CSV", _("%(n)d행: %(m)s") % {"n": line_no, "m": err.message}) from None
            except forms.ValidationError as err:
                raise Invalid(
                    "INVALID_CSV", _("%(n)d행: %(m)s") % {"n": line_no, "m": " ".join(err.messages)}
                ) from None
            del product
    return created, updated


def _check_row(existing: Product, fields: dict) -> None:
    from apps.core.errors import Invalid

    if not fields["name"]:
        raise Invalid("INVALID_CSV", _("이름이 비어 있습니다."))
    if fields["base_price"] < 0:
        raise Invalid("INVALID_CSV", _("가격은 0 이상이어야 합니다."))
    services._check_codes_free(existing.owner, sku=fields["sku"], barcode=fields["barcode"], exclude_pk=existing.pk)
