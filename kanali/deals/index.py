"""The database behind the conflict engine: one in-memory :class:`ConflictIndex` per vendor.

What a registration may conflict with: the vendor's accounts, its open
deals, registrations that are submitted or approved and still protected,
and open leads. The index of a vendor is built once per process and then
kept current by a *delta* before every check: the rows of each kind whose
``updated_at`` is at or after the last sync (minus :data:`SYNC_MARGIN`, so a
row saved just before a slower transaction committed is still seen) are
re-read, and each is added, replaced, or removed when it no longer counts
(a deal won, a registration rejected, a lead converted). Every
:data:`FULL_REBUILD_AFTER` the index is rebuilt from scratch, which also
forgets rows deleted outright.

The cache key includes the vendor's :class:`ConflictLock` generation (its
primary key), so a database that was rolled back or recreated (tests, a
restore) never meets an index built from rows that no longer exist.
Matches are always re-read from the database by the caller before they are
stored, so a stale entry can add a candidate but never a false conflict.

Callers hold the vendor's :class:`ConflictLock` row lock while they check
and save, which is what makes two simultaneous registrations of one
customer see each other; :data:`_GUARD` only protects the in-memory index
from concurrent threads of one process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from kanali.deals.conflicts import ConflictIndex, Match, MatchSettings, Query, Record
from kanali.deals.conflicts.index import RecordId
from kanali.deals.models import Account, Deal, DealRegistration
from kanali.leads.models import Lead

#: Rows saved this long before the last sync are re-read again (a transaction may commit late).
SYNC_MARGIN = timedelta(seconds=30)
#: Seconds after which a vendor's index is rebuilt from the database.
FULL_REBUILD_AFTER = 600.0


@dataclass
class _Cached:
    generation: int
    index: ConflictIndex
    synced_at: datetime
    built_at: float
    #: ``updated_at`` of the rows inside the sync margin already applied (they are read again, not re-added).
    applied: dict[tuple[str, RecordId], datetime] = field(default_factory=dict)


_CACHE: dict[int, _Cached] = {}
_GUARD = threading.Lock()


def invalidate(vendor_id: int | None = None) -> None:
    """Forget one vendor's index (or every index)."""
    with _GUARD:
        if vendor_id is None:
            _CACHE.clear()
        else:
            _CACHE.pop(vendor_id, None)


def registration_counts(registration: DealRegistration, today: date) -> bool:
    """A registration is a claim on its customer while submitted, or approved and still protected."""
    if registration.status == DealRegistration.Status.SUBMITTED:
        return True
    return registration.status == DealRegistration.Status.APPROVED and (
        registration.protected_until is None or registration.protected_until >= today
    )


#: One row read for the index: the record, whether it counts now, and its ``updated_at``.
Row = tuple[Record, bool, datetime]


def _account_rows(qs: QuerySet[Account]) -> Iterator[Row]:
    fields = ("pk", "name", "domain", "vat_number", "country", "updated_at")
    for pk, name, domain, vat, country, updated in qs.values_list(*fields).iterator(chunk_size=5000):
        yield Record(pk, "account", name, domain, vat, country or ""), True, updated


def _deal_rows(qs: QuerySet[Deal]) -> Iterator[Row]:
    """A deal is about its account's customer, else its registration's, else its own name."""
    fields = (
        "pk",
        "name",
        "status",
        "partnership_id",
        "updated_at",
        "account__name",
        "account__domain",
        "account__vat_number",
        "account__country",
        "registration__company",
        "registration__domain",
        "registration__vat_number",
        "registration__country",
    )
    for row in qs.values_list(*fields).iterator(chunk_size=2000):
        pk, name, status, owner, updated = row[:5]
        if row[5] is not None:
            customer = row[5:9]
        elif row[9] is not None:
            customer = row[9:13]
        else:
            customer = (name, "", "", "")
        c_name, domain, vat, country = (value or "" for value in customer)
        yield Record(pk, "deal", c_name, domain, vat, country, owner), status == Deal.Status.OPEN, updated


def _registration_rows(qs: QuerySet[DealRegistration], today: date) -> Iterator[Row]:
    fields = ("pk", "company", "domain", "vat_number", "country", "partnership_id", "status", "protected_until")
    for pk, company, domain, vat, country, owner, status, until, updated in qs.values_list(
        *fields, "updated_at"
    ).iterator(chunk_size=2000):
        counts = status == DealRegistration.Status.SUBMITTED or (
            status == DealRegistration.Status.APPROVED and (until is None or until >= today)
        )
        yield Record(pk, "registration", company, domain, vat, country or "", owner), counts, updated


def _lead_rows(qs: QuerySet[Lead]) -> Iterator[Row]:
    fields = ("pk", "company", "email_domain", "country", "partnership_id", "status", "updated_at")
    for pk, company, domain, country, owner, status, updated in qs.values_list(*fields).iterator(chunk_size=5000):
        yield Record(pk, "lead", company, domain, "", country or "", owner), status in Lead.OPEN_STATUSES, updated


def _rows(vendor_id: int, since: datetime | None) -> Iterator[Row]:
    """Every record of the vendor that counts (``since=None``), or every one changed since ``since``."""
    today = timezone.localdate()
    changed = Q() if since is None else Q(updated_at__gte=since)
    accounts = Account.objects.for_vendor(vendor_id).filter(changed)
    deals = Deal.objects.for_vendor(vendor_id).filter(changed)
    registrations = DealRegistration.objects.for_vendor(vendor_id).filter(changed)
    leads = Lead.objects.for_vendor(vendor_id).filter(changed)
    if since is None:
        deals = deals.filter(status=Deal.Status.OPEN)
        registrations = registrations.filter(
            Q(status=DealRegistration.Status.SUBMITTED)
            | Q(status=DealRegistration.Status.APPROVED, protected_until__gte=today)
            | Q(status=DealRegistration.Status.APPROVED, protected_until__isnull=True)
        )
        leads = leads.filter(status__in=Lead.OPEN_STATUSES)
    yield from _account_rows(accounts)
    yield from _deal_rows(deals)
    yield from _registration_rows(registrations, today)
    yield from _lead_rows(leads)


def _settings() -> MatchSettings:
    return MatchSettings()


def _refresh(vendor_id: int, generation: int) -> ConflictIndex:
    """The vendor's index, current as of now (called under :data:`_GUARD`)."""
    now = timezone.now()
    cached = _CACHE.get(vendor_id)
    if cached is None or cached.generation != generation or time.monotonic() - cached.built_at > FULL_REBUILD_AFTER:
        index = ConflictIndex(settings=_settings())
        applied: dict[tuple[str, RecordId], datetime] = {}
        for record, _counts, updated in _rows(vendor_id, None):
            index.add(record)
            if updated >= now - SYNC_MARGIN:
                applied[record.kind, record.id] = updated
        _CACHE[vendor_id] = _Cached(generation, index, now, time.monotonic(), applied)
        return index
    since = cached.synced_at - SYNC_MARGIN
    for record, counts, updated in _rows(vendor_id, since):
        ref = (record.kind, record.id)
        if cached.applied.get(ref) == updated:
            continue  # read in an earlier delta and unchanged since: adding it again costs a normalisation
        cached.applied[ref] = updated
        if counts:
            cached.index.add(record)
        else:
            cached.index.remove(record.id, record.kind)
    cached.applied = {ref: at for ref, at in cached.applied.items() if at >= since}
    cached.synced_at = now
    return cached.index


def check(
    *,
    vendor_id: int,
    generation: int,
    query: Query,
    threshold: float | None = None,
    exclude: Iterable[tuple[str, int]] = (),
) -> list[Match]:
    """The vendor's records ``query`` conflicts with (see :meth:`ConflictIndex.check`)."""
    with _GUARD:
        index = _refresh(vendor_id, generation)
        return index.check(query, threshold=threshold, exclude=list(exclude))  # type: ignore[arg-type]


def size(*, vendor_id: int, generation: int) -> int:
    """How many records the vendor's index holds (for the vendor's settings page and tests)."""
    with _GUARD:
        return len(_refresh(vendor_id, generation))
