"""Uses a Python SDK generated from openapi/scmp.json by openapi-python-client against a running
scmp server, as an automation team would: modules by resource, one model per resource whether it
comes from a list or a view, times as datetimes, pages followed, problems parsed.

Usage: sdk_client.py SDK_DIR BASE_URL TOKEN CA_FILE
"""

import datetime
import sys

sdk_dir, base_url, token, ca_file = sys.argv[1:5]
sys.path.insert(0, sdk_dir)

from scmp_client import AuthenticatedClient  # noqa: E402
from scmp_client.api.projects import project_create, project_list  # noqa: E402
from scmp_client.api.tenants import (  # noqa: E402
    tenant_create,
    tenant_delete,
    tenant_list,
    tenant_view,
)
from scmp_client.models import (  # noqa: E402
    Problem,
    ProjectCreate,
    TenantCreate,
    TenantView,
)
from scmp_client.types import UNSET  # noqa: E402


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAILED: {what}")
    print(f"ok: {what}")


client = AuthenticatedClient(base_url=base_url, token=token, verify_ssl=ca_file)
with client as c:
    for name in ["sdk-a", "sdk-b", "sdk-c"]:
        made = tenant_create.sync(client=c, body=TenantCreate(name=name))
        check(isinstance(made, TenantView), f"tenant_create answers a TenantView ({name})")
    check(
        isinstance(made.created_at, datetime.datetime)
        and made.created_at.utcoffset() == datetime.timedelta(0),
        "created_at is a datetime in UTC",
    )
    check(made.description is UNSET, "an absent description is absent, not an empty string")

    listed = tenant_list.sync(client=c, limit=1000)
    viewed = tenant_view.sync("sdk-b", client=c)
    check(type(listed.items[0]) is type(viewed) is TenantView, "one model for a listed and a viewed tenant")

    names, token_ = [], UNSET
    for _ in range(10):
        page = tenant_list.sync(client=c, limit=1, page_token=token_)
        names += [t.name for t in page.items]
        if not page.next_page_token:
            break
        token_ = page.next_page_token
    check(names == sorted(t.name for t in listed.items), "pages of one, followed to the end, list every tenant once")

    project_create.sync("sdk-a", client=c, body=ProjectCreate(name="web"))
    projects = project_list.sync("sdk-a", client=c)
    check([p.name for p in projects.items] == ["web"], "a project through the projects module")

    again = tenant_create.sync_detailed(client=c, body=TenantCreate(name="sdk-a"))
    check(again.status_code == 409 and isinstance(again.parsed, Problem), "a conflict is a parsed Problem")
    in_use = tenant_delete.sync_detailed("sdk-a", client=c)
    check(
        in_use.status_code == 409 and "project" in in_use.parsed.detail,
        "deleting a tenant with a project names it",
    )
    bad = tenant_list.sync_detailed(client=c, limit=0)
    check(
        bad.status_code == 400 and bad.parsed.errors[0].field == "limit",
        "a limit out of range is refused naming the parameter",
    )
    gone = tenant_delete.sync_detailed("sdk-c", client=c)
    check(gone.status_code == 204, "tenant_delete")
print("sdk: all checks passed")
