"""Partner lifecycle models; each area keeps its models in its own module."""

from kanali.partners.models_agreements import *  # noqa: F403
from kanali.partners.models_applications import *  # noqa: F403
from kanali.partners.models_management import *  # noqa: F403
from kanali.partners.models_tiers import *  # noqa: F403
