from django import forms
from django.utils.translation import gettext_lazy as _

from weft.registry.models import Certification, ChainStage


def _stages():
    return [(s.code, s.name) for s in ChainStage.objects.order_by("order")]


class DeclareGapForm(forms.Form):
    stage = forms.ChoiceField(label=_("Chain stage needed"), choices=_stages)
    note = forms.CharField(
        label=_("What the cluster needs"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    quantity_unit = forms.CharField(label=_("Unit"), required=False, max_length=20)

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "stage": d["stage"],
            "note": d["note"],
            "quantity": d.get("quantity"),
            "quantity_unit": d.get("quantity_unit") or "",
        }


class RegistrationForm(forms.Form):
    enterprise = forms.TypedChoiceField(label=_("Firm"), coerce=int)
    needs = forms.MultipleChoiceField(
        label=_("Needs (stages you buy)"), required=False, choices=_stages
    )
    offers = forms.MultipleChoiceField(
        label=_("Offers (stages you sell)"), required=False, choices=_stages
    )
    needs_text = forms.CharField(
        label=_("What you are looking for"), required=False, max_length=300
    )
    offers_text = forms.CharField(label=_("What you offer"), required=False, max_length=300)
    certifications = forms.MultipleChoiceField(
        label=_("Certificates your suppliers must hold"),
        required=False,
        choices=lambda: [(c.code, c.name_en) for c in Certification.objects.all()],
    )

    def __init__(self, *args, firms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.firms = {f.pk: f for f in firms}
        self.fields["enterprise"].choices = [(f.pk, f.name_zh) for f in firms]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "enterprise": self.firms[d["enterprise"]],
            "needs": d["needs"],
            "offers": d["offers"],
            "needs_text": d["needs_text"],
            "offers_text": d["offers_text"],
            "certifications": d["certifications"],
        }


class EventForm(forms.Form):
    host = forms.TypedChoiceField(label=_("Host cluster"), coerce=int)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    theme = forms.CharField(label=_("Theme"), max_length=200, required=False)
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    first_slot = forms.TimeField(
        label=_("First meeting at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    slot_minutes = forms.IntegerField(
        label=_("Minutes per meeting"), initial=20, min_value=5, max_value=240
    )
    n_slots = forms.IntegerField(label=_("Time slots"), initial=12, min_value=1, max_value=200)
    tables = forms.IntegerField(label=_("Tables"), initial=10, min_value=1, max_value=500)
    max_meetings = forms.IntegerField(
        label=_("Meetings per firm at most"), initial=6, min_value=1, max_value=100
    )

    def __init__(self, *args, clusters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.clusters = {c.pk: c for c in clusters}
        self.fields["host"].choices = [(c.pk, c.name) for c in clusters]

    def service_kwargs(self) -> dict:
        import datetime as dt

        d = self.cleaned_data
        return {
            "title_zh": d["title_zh"],
            "title_en": d["title_en"],
            "theme": d["theme"],
            "place": d["place"],
            "starts_on": d["starts_on"],
            "first_slot": dt.datetime.combine(d["starts_on"], d["first_slot"]),
            "slot_minutes": d["slot_minutes"],
            "n_slots": d["n_slots"],
            "tables": d["tables"],
            "max_meetings": d["max_meetings"],
        }


class OutcomeForm(forms.Form):
    contact_made = forms.BooleanField(label=_("Contact made"), required=False)
    sample_ordered = forms.BooleanField(label=_("Sample ordered"), required=False)
    deal_signed = forms.BooleanField(label=_("Deal signed"), required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
