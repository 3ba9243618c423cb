"""``/api/v1/me``: who the token acts as, and every workspace the user can open."""

from django.http import HttpRequest
from ninja import Router, Schema

from kanali.core.workspace import Workspace, list_workspaces

router = Router(tags=["me"])


class UserOut(Schema):
    id: int
    email: str
    name: str


class WorkspaceOut(Schema):
    kind: str
    vendor: str
    vendor_name: str
    organization: str
    organization_name: str
    role: str


class MeOut(Schema):
    user: UserOut
    workspace: WorkspaceOut
    workspaces: list[WorkspaceOut]


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    ws: Workspace = request.auth  # type: ignore[attr-defined]
    links = list_workspaces(ws.user)
    return {
        "user": {"id": ws.user.pk, "email": ws.user.email, "name": ws.user.get_full_name()},
        "workspace": {
            "kind": ws.kind,
            "vendor": ws.vendor.slug,
            "vendor_name": ws.vendor.name,
            "organization": ws.organization.slug,
            "organization_name": ws.organization.name,
            "role": ws.role.value,
        },
        "workspaces": [
            {
                "kind": link.kind,
                "vendor": link.vendor.slug,
                "vendor_name": link.vendor.name,
                "organization": link.organization.slug,
                "organization_name": link.organization.name,
                "role": link.role.value,
            }
            for link in links
        ],
    }
