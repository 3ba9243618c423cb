"""Forms of the step pages: one form for the step's single answers, one formset per collection."""

from __future__ import annotations

from typing import Any

import pycountry
from django import forms
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kanali.core.forms import BootstrapMixin
from kanali.core.models import Membership, PartnerType, Program
from kanali.core.roles import VENDOR_ROLES
from kanali.designer import metrics
from kanali.designer.catalogues import CanvasKind, SuccessFactorKey
from kanali.designer.models import CanvasItem, Design, SuccessFactor, Tier
from kanali.designer.steps import Collection, Step

TEXTAREA = forms.Textarea(attrs={"rows": 2})
CUSTOM = "custom"


class RegionsField(forms.CharField):
    """ISO 3166-2 subdivision codes (``GR-I, GR-B``) as a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        codes = [part.strip().upper() for part in text.replace(";", ",").split(",") if part.strip()]
        unknown = [code for code in codes if pycountry.subdivisions.get(code=code) is None]
        if unknown:
            raise forms.ValidationError(
                _("Not ISO 3166-2 region codes: %(codes)s (e.g. GR-I for Attica)."),
                params={"codes": ", ".join(unknown)},
            )
        return list(dict.fromkeys(codes))


def formfield(field: Any, **kwargs: Any) -> forms.Field | None:
    """Form fields for design models: region codes as text, links assumed https."""
    if field.name == "target_regions":
        return RegionsField(label=field.verbose_name, required=False, help_text=_("Comma-separated, e.g. GR-I, GR-B."))
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)  # type: ignore[no-any-return]


class DesignForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Design
        fields: list[str] = []
        widgets = {
            "recruitment_deadline": forms.DateInput(attrs={"type": "date"}),
            "framework": forms.RadioSelect,
        }


def design_form_class(step: Step) -> type[DesignForm]:
    widgets: dict[str, Any] = {}
    for name in step.design_fields:
        field = Design._meta.get_field(name)
        if isinstance(field, models.TextField):
            widgets[name] = forms.Textarea(attrs={"rows": 3})
    return forms.modelform_factory(  # type: ignore[return-value]
        Design,
        form=DesignForm,
        fields=list(step.design_fields),
        widgets={**DesignForm.Meta.widgets, **widgets},  # type: ignore[dict-item]
        formfield_callback=formfield,  # type: ignore[arg-type]
    )


def choice_querysets(program: Program, collection: Collection) -> dict[str, QuerySet]:
    """The rows a collection's select boxes offer, all inside the program."""
    vendor_id = program.vendor_id
    querysets: dict[str, QuerySet] = {}
    fields = collection.fields
    if "addresses" in fields:
        target = CanvasKind.PAIN if collection.fixed.get("kind") == CanvasKind.PAIN_RELIEVER else CanvasKind.GAIN
        querysets["addresses"] = CanvasItem.objects.for_vendor(vendor_id).filter(program=program, kind=target)
    if "tier" in fields:
        querysets["tier"] = Tier.objects.for_vendor(vendor_id).filter(program=program)
    for name in ("owner", "member"):
        if name in fields:
            querysets[name] = (
                Membership.objects.filter(organization_id=vendor_id, role__in=VENDOR_ROLES)
                .select_related("user")
                .order_by("user__first_name", "user__email")
            )
    if "success_factor" in fields:
        querysets["success_factor"] = SuccessFactor.objects.for_vendor(vendor_id).filter(program=program)
    return querysets


class ItemForm(BootstrapMixin, forms.ModelForm):
    """A row of a collection; knows its program so its choices stay inside it."""

    def __init__(
        self,
        *args: Any,
        program: Program,
        collection: Collection,
        querysets: dict[str, QuerySet],
        choices: dict[str, list[tuple[Any, str]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.collection = collection
        fields = self.fields
        for name, queryset in querysets.items():
            fields[name].queryset = queryset  # type: ignore[attr-defined]
            # Rendered from choices read once per formset, not once per row.
            fields[name].choices = choices[name]  # type: ignore[attr-defined]
        if "addresses" in fields:
            fields["addresses"].widget.attrs["size"] = 3
        if "metric" in fields:
            fields["metric"] = forms.ChoiceField(label=_("metric"), choices=[("", "---------"), *metrics.choices()])
            fields["metric"].widget.attrs["class"] = "form-select"
        if collection.key == "partner_types":
            fields["key"] = forms.ChoiceField(
                label=_("type"), choices=[*PartnerType.choices, (CUSTOM, _("Custom type"))], initial="var"
            )
            fields["key"].widget.attrs["class"] = "form-select"
            fields["name"].required = False
            if self.instance.pk and self.instance.key not in PartnerType.values:
                self.initial["key"] = CUSTOM
        if collection.key == "success_factors":
            fields["key"] = forms.ChoiceField(label=_("factor"), choices=SuccessFactorKey.choices)
            fields["key"].widget.attrs["class"] = "form-select"
            fields["name"].required = False
        for field in fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.collection.key == "partner_types" and data.get("key"):
            if data["key"] == CUSTOM:
                if not data.get("name"):
                    self.add_error("name", _("Name your custom partner type."))
                else:
                    data["key"] = slugify(data["name"])[:60] or CUSTOM
            elif not data.get("name"):
                data["name"] = str(PartnerType(data["key"]).label)
        if self.collection.key == "success_factors" and data.get("key"):
            if data["key"] == SuccessFactorKey.CUSTOM and not data.get("name"):
                self.add_error("name", _("Name your success factor."))
            elif not data.get("name"):
                data["name"] = str(SuccessFactorKey(data["key"]).label)
        return data

    def _post_clean(self) -> None:
        # The row belongs to the program before the model validates it.
        self.instance.vendor_id = self.program.vendor_id
        if hasattr(self.instance, "program_id"):
            self.instance.program = self.program
        for name, value in self.collection.fixed.items():
            setattr(self.instance, name, value)
        super()._post_clean()  # type: ignore[misc]


class ItemFormSet(BaseModelFormSet):
    def __init__(self, *args: Any, program: Program, collection: Collection, **kwargs: Any) -> None:
        self.program = program
        self.collection = collection
        kwargs.setdefault("queryset", collection.queryset(program))
        kwargs.setdefault("prefix", collection.key)
        querysets = choice_querysets(program, collection)
        choices = {
            name: ([] if name == "addresses" else [("", "---------")]) + [(obj.pk, str(obj)) for obj in qs]
            for name, qs in querysets.items()
        }
        form_kwargs = {"program": program, "collection": collection, "querysets": querysets, "choices": choices}
        super().__init__(*args, form_kwargs=form_kwargs, **kwargs)

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        # The hidden row id may only name rows of this program (Django's default is every row of the table).
        form.fields[self.model._meta.pk.name].queryset = self.collection.queryset(self.program)

    def clean(self) -> None:
        """Two rows with the same identity (e.g. two tiers named Gold) are refused, not left to the database."""
        super().clean()
        seen: dict[tuple[Any, ...], int] = {}
        for index, form in enumerate(self.forms):
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            key = tuple(
                data.get(name).pk if hasattr(data.get(name), "pk") else data.get(name)  # type: ignore[union-attr]
                for name in self.collection.natural_key
            )
            if key in seen:
                form.add_error(None, _("This entry is listed twice."))
            seen[key] = index


def formset_class(collection: Collection) -> type[ItemFormSet]:
    return modelformset_factory(  # type: ignore[return-value]
        collection.model,
        form=ItemForm,
        formset=ItemFormSet,
        fields=list(collection.fields),
        extra=1,
        can_delete=True,
        widgets={"addresses": forms.SelectMultiple},
        formfield_callback=formfield,  # type: ignore[arg-type]
    )
