"""Template helpers for Weft pages."""

from django import template

from weft.accounts.permissions import can as _can
from weft.core import text
from weft.registry import divisions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action, obj=None):
    """`{% can "registry.change_enterprise" enterprise as allowed %}` — asks permissions.can."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return _can(user, action, obj)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (empty values dropped)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def province(value):
    """`{{ cluster.province|province }}`: a province (stored by its Chinese name) named in the
    active language."""
    return divisions.province_name(value)


@register.filter
def place(value):
    """`{{ cluster.prefecture|place }}`: a prefecture, county or town in the active language."""
    return divisions.place_name(value)


@register.simple_tag
def list_sep():
    """Between the items of a list: `{% if not forloop.last %}{% list_sep %}{% endif %}` gives
    "、" on Chinese pages and ", " on English ones."""
    return text.list_separator()


@register.filter
def join_list(items):
    """`{{ names|join_list }}`: the items separated as the active language does it."""
    return text.join_list(items)
