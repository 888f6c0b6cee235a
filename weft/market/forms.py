"""Forms of the marketplace pages. They check shapes; the rules are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weft.core.params import SEARCH_MAX_LENGTH
from weft.registry.models import Certification, ChainStage, Cluster

from . import vocabulary
from .models import CapacityOffer, Visibility


def _stage_choices(blank=True):
    rows = [(s.code, s.name) for s in ChainStage.objects.filter(code__in=vocabulary.CATEGORIES)]
    return ([("", _("Any stage"))] if blank else []) + rows


class ClusterField(forms.ModelChoiceField):
    """Clusters by their name in the active language (str() gives the Chinese name)."""

    def label_from_instance(self, obj):
        return obj.name


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class BrowseForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 府绸, 牛仔, 虎门")}),
    )
    kind = forms.ChoiceField(
        label=_("Looking for"),
        choices=[("demands", _("Demands")), ("offers", _("Spare capacity"))],
        required=False,
    )
    stage = forms.ChoiceField(label=_("Chain stage"), required=False)
    category = forms.ChoiceField(
        label=pgettext_lazy("product category", "Category"), required=False
    )
    cluster = ClusterField(
        label=_("Cluster"),
        queryset=Cluster.objects.order_by("province", "slug"),
        required=False,
        empty_label=_("Any cluster"),
    )
    province = forms.CharField(label=_("Province"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = _stage_choices()
        self.fields["category"].choices = [("", _("Any category"))] + vocabulary.category_choices()


class DemandForm(forms.Form):
    title = forms.CharField(label=_("What do you need?"), max_length=120)
    stage = forms.ChoiceField(label=_("Supplier's chain stage"))
    category = forms.ChoiceField(label=_("Product category"))
    spec = forms.CharField(
        label=_("Specification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fibre_content = forms.CharField(label=_("Fibre content"), required=False, max_length=120)
    weight_gsm = forms.IntegerField(label=_("Weight (g/m²)"), required=False, min_value=1)
    width_cm = forms.IntegerField(label=_("Width (cm)"), required=False, min_value=1)
    colour = forms.CharField(label=_("Colour"), required=False, max_length=60)
    size_range = forms.CharField(label=_("Size range"), required=False, max_length=60)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"))
    target_price = forms.DecimalField(
        label=_("Target price (yuan per unit)"), required=False, max_digits=12, decimal_places=2
    )
    needed_by = forms.DateField(label=_("Needed by"), widget=DateInput)
    quote_deadline = forms.DateTimeField(label=_("Quotes accepted until"), widget=DateTimeInput)
    delivery_address = forms.CharField(label=_("Delivery address"), max_length=300)
    certifications = forms.MultipleChoiceField(
        label=_("Required certifications"), required=False, widget=forms.CheckboxSelectMultiple
    )
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=Visibility.choices)
    publish = forms.BooleanField(label=_("Open for quotes now"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = _stage_choices(blank=False)
        self.fields["category"].choices = vocabulary.category_choices()
        self.fields["unit"].choices = vocabulary.unit_choices()
        self.fields["certifications"].choices = [
            (c.code, c.name) for c in Certification.objects.all()
        ]


class DemandEditForm(DemandForm):
    """The posting form for a demand posted before: fields locked once quotes are in are shown
    but disabled (services.LOCKED_ONCE_QUOTED), so their posted values stay."""

    def __init__(self, *args, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["publish"]
        for name in locked:
            self.fields[name].disabled = True
            self.fields[name].help_text = _("Locked: quotes have been received.")

    def changed(self, demand) -> dict:
        """What the person may change: every field but the disabled ones, less a deadline
        left as shown (the form shows minutes, the demand keeps seconds)."""
        data = {k: v for k, v in self.cleaned_data.items() if not self.fields[k].disabled}
        deadline = data.get("quote_deadline")
        if deadline and deadline.replace(second=0, microsecond=0) == demand.quote_deadline.replace(
            second=0, microsecond=0
        ):
            del data["quote_deadline"]
        return data


class OfferForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    stage = forms.ChoiceField(label=_("Chain stage"))
    categories = forms.MultipleChoiceField(
        label=_("Categories"), widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.DecimalField(label=_("Spare quantity"), max_digits=14, decimal_places=2)
    unit = forms.ChoiceField(label=_("Unit"))
    period = forms.ChoiceField(label=_("Per"), choices=CapacityOffer.Period.choices)
    available_from = forms.DateField(label=_("Available from"), widget=DateInput)
    available_until = forms.DateField(label=_("Available until"), widget=DateInput)
    price = forms.DecimalField(
        label=_("Indicative price (yuan per unit)"),
        required=False,
        max_digits=12,
        decimal_places=2,
    )
    min_order = forms.DecimalField(
        label=_("Minimum order"), required=False, max_digits=14, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = _stage_choices(blank=False)
        self.fields["categories"].choices = vocabulary.category_choices()
        self.fields["unit"].choices = vocabulary.unit_choices()


class QuoteForm(forms.Form):
    unit_price = forms.DecimalField(
        label=_("Unit price (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=2)
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, max_value=730)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this post?"), max_length=500)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attach a file (PDF, image, XLSX, DOCX; up to 10 MB)"))
