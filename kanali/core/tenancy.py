"""Tenant-scoped models: the default manager refuses to read without a vendor.

Every row that belongs to a vendor inherits :class:`TenantModel`. Reading
through ``Model.objects`` without ``.for_vendor(...)`` raises
:class:`UnscopedQueryError` at evaluation time; the deliberate cross-tenant
path is ``Model.unscoped`` (migrations, admin, operations) and is easy to grep.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from kanali.core.models import Organization


class UnscopedQueryError(RuntimeError):
    """A tenant table was read without naming the vendor."""


VENDOR_LOOKUPS = ("vendor", "vendor_id", "vendor__pk", "vendor__id")


class TenantQuerySet(models.QuerySet):
    _scoped: bool = False

    def for_vendor(self, vendor: Organization | int) -> Self:
        vendor_id = vendor if isinstance(vendor, int) else vendor.pk
        return self.filter(vendor_id=vendor_id)

    def filter(self, *args: Any, **kwargs: Any) -> Self:
        """Filtering on one vendor is scoping too (Django's own constraint checks do exactly that)."""
        qs = super().filter(*args, **kwargs)
        if any(kwargs.get(key) is not None for key in VENDOR_LOOKUPS):
            qs._scoped = True
        return qs

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scoped = self._scoped
        return clone

    def _require_scope(self) -> None:
        if not self._scoped:
            raise UnscopedQueryError(
                f"{self.model.__name__} read without a vendor: use .for_vendor() or a selector "
                f"(or {self.model.__name__}.unscoped for deliberate cross-tenant work)."
            )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()  # type: ignore[misc]

    def count(self) -> int:
        self._require_scope()
        return super().count()

    def exists(self) -> bool:
        self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._require_scope()
        return super().iterator(chunk_size=chunk_size)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> TenantQuerySet:
        qs = super().get_queryset()
        # A related manager of a tenant row (program.partnerships) is narrowed to
        # that row's vendor; one of a shared row (organization.partnerships) is not.
        if isinstance(getattr(self, "instance", None), TenantModel):
            qs._scoped = True
        return qs


class TenantModel(models.Model):
    vendor = models.ForeignKey(
        "core.Organization",
        on_delete=models.CASCADE,
        related_name="+",
    )

    objects = TenantManager()
    unscoped = models.Manager()  # noqa: DJ012 - the named escape hatch sits beside the default

    class Meta:
        abstract = True
