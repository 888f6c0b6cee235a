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
