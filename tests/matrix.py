"""Helpers shared by the permission matrices: which API operations an app mounts."""

from weft.core.api import api as ninja_api


def api_operations(app: str | None = None, *, exclude: tuple[str, ...] = ()) -> set[str]:
    """'METHOD /path' of every mounted operation whose handler lives in weft.<app>.

    With no app: every operation except those of the apps in `exclude`. The matrices compare this
    with their grids, so a new endpoint fails the suite until it has its row.
    """
    found = set()
    for _prefix, router in ninja_api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                owner = operation.view_func.__module__.split(".")[1]
                if (app is not None and owner != app) or owner in exclude:
                    continue
                route = "/" + path.lstrip("/")
                route = route.replace("<int:", "{").replace("<", "{").replace(">", "}")
                found |= {f"{method} {route}" for method in operation.methods}
    return found
