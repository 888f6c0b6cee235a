from django import template

from weft.accounts.permissions import can

from ..selectors import clusters_for_import

register = template.Library()


@register.filter
def can_import(user) -> bool:
    """Whether to show the imports link: the operator or a cluster office's admin."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can(user, "imports.import_enterprises", None) or clusters_for_import(user).exists()
