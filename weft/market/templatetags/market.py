from django import template
from django.utils.translation import gettext as _

from weft.market import vocabulary
from weft.registry.models import ChainStage

register = template.Library()


@register.filter
def category_label(code):
    return vocabulary.category_label(code)


@register.filter
def unit_label(code):
    return vocabulary.unit_label(code)


@register.filter
def stage_label(code):
    stage = ChainStage.objects.filter(code=code).first()
    return stage.name if stage else code


@register.filter
def percent(value):
    return f"{round(float(value) * 100)}%"


@register.filter
def action_label(action):
    return {
        "publish": _("Open for quotes"),
        "cancel": _("Cancel the demand"),
        "start_production": _("Production has started"),
        "deliver": _("Goods delivered"),
        "close": _("Close the demand"),
    }.get(action, action)
