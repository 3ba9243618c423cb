"""The partners app's API: one router per area, joined here."""

from ninja import Router

from kanali.partners import api_agreements, api_applications, api_management, api_tiers

router = Router()
router.add_router("", api_applications.router)
router.add_router("", api_management.router)
router.add_router("", api_agreements.router)
router.add_router("", api_tiers.router)
