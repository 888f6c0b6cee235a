"""A cluster id given to an API endpoint, checked the same way by every app."""

from django.utils.translation import gettext as _

from weft.core.errors import ApiError

from .models import Cluster


def cluster_by_id(cluster_id: int | None, *, missing_status: int = 422) -> Cluster | None:
    """The cluster, or None when no id was given; an unknown id is a 422 when it is a reference
    in the request (a filter, a field), or a 404 when it names the resource itself (the path)."""
    if cluster_id is None:
        return None
    cluster = Cluster.objects.filter(pk=cluster_id).first()
    if cluster is None:
        code = "not_found" if missing_status == 404 else "invalid_data"
        raise ApiError(missing_status, code, _("No cluster has id %(id)d.") % {"id": cluster_id})
    return cluster
