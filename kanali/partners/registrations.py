"""What the partners app plugs into lower layers (portal home widgets, metrics, tasks).

Each area keeps its registrations in its own module; importing them here runs them once at start-up.
"""

from kanali.partners import (  # noqa: F401
    news,
    registrations_agreements,
    registrations_applications,
    registrations_management,
    registrations_tiers,
)
