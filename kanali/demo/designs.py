"""Demo programs designed from the examples and published, so every screen has a real design to show.

Nefeli (a Greek SaaS startup) runs the SaaS example; Voltera's reseller program
(a German hardware SME) runs the hardware example. The examples' staff
placeholders ("@channel", "@pam", …) resolve to each vendor's demo staff by role.
"""

from __future__ import annotations

from kanali.core.models import Membership, Organization, Program
from kanali.core.roles import Role
from kanali.core.workspace import Workspace
from kanali.designer import selectors
from kanali.designer.examples import load_example
from kanali.designer.publishing import publish

#: vendor slug, program slug, example
DEMO_DESIGNS: tuple[tuple[str, str, str], ...] = (
    ("nefeli", "partners", "saas"),
    ("voltera", "resellers", "hardware"),
)
FIRST_VERSION_NOTE = "First version of the program: all fourteen steps designed."


def design_programs() -> int:
    """Load each demo program's example and publish it once; running again changes nothing. Returns the count."""
    for vendor_slug, program_slug, example in DEMO_DESIGNS:
        vendor = Organization.objects.get(slug=vendor_slug, is_vendor=True)
        program = Program.objects.for_vendor(vendor).get(slug=program_slug)
        owner = Membership.objects.select_related("user").filter(organization=vendor, role=Role.OWNER).earliest("pk")
        workspace = Workspace(user=owner.user, membership=owner, vendor=vendor, kind="vendor")
        load_example(workspace=workspace, program=program, example=example)
        if selectors.published_version(program) is None:
            publish(workspace=workspace, program=program, change_note=FIRST_VERSION_NOTE)
    return len(DEMO_DESIGNS)
