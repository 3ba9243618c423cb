"""The vendor's product catalogue: registrations, deals and commission plans refer to products by code."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kanali.core import audit
from kanali.core.models import Program
from kanali.core.workspace import Workspace
from kanali.deals.models import Product
from kanali.deals.services import require_vendor


def _clean(name: str, code: str) -> tuple[str, str]:
    name = (name or "").strip()
    code = slugify(code or "")
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the product's name.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most 200 characters.")]
    if not code:
        errors["code"] = [_("Enter a code of letters, digits and hyphens (e.g. crm-pro).")]
    elif len(code) > 60:
        errors["code"] = [_("Use at most 60 characters.")]
    if errors:
        raise ValidationError(errors)
    return name, code


@transaction.atomic
def product_create(*, workspace: Workspace, program: Program, name: str, code: str, active: bool = True) -> Product:
    require_vendor(workspace)
    if program.vendor_id != workspace.vendor.pk:
        raise ValidationError({"program_id": [_("Choose one of your programs.")]})
    name, code = _clean(name, code)
    if Product.objects.for_vendor(workspace.vendor).filter(program=program, code=code).exists():
        raise ValidationError(
            {"code": [_("Another product of this program has the code “%(code)s”.") % {"code": code}]}
        )
    product = Product.objects.create(vendor=workspace.vendor, program=program, name=name, code=code, active=active)
    audit.record(workspace=workspace, action="product.create", obj=product)
    return product


@transaction.atomic
def product_update(
    *, workspace: Workspace, product: Product, name: str | None = None, active: bool | None = None
) -> Product:
    """Rename or (de)activate a product; its code never changes, as stored registrations and plans use it."""
    require_vendor(workspace)
    product = Product.objects.for_vendor(workspace.vendor).select_for_update().get(pk=product.pk)
    values: dict[str, object] = {}
    if name is not None:
        values["name"], _code = _clean(name, product.code)
    if active is not None:
        values["active"] = active
    changes = audit.diff(product, values)
    for key, value in values.items():
        setattr(product, key, value)
    if changes:
        product.save(update_fields=list(values))
        audit.record(workspace=workspace, action="product.update", obj=product, changes=changes)
    return product
