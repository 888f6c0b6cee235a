import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Indicator, PeriodKind


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    period_kind = forms.ChoiceField(label=_("Period kind"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    number = forms.IntegerField(
        label=_("Month or quarter number"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("1–12 for a month, 1–4 for a quarter, 1 for a year."),
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators"),
        queryset=Indicator.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=lambda: datetime.date.today() + datetime.timedelta(days=14),
    )
