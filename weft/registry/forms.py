"""Forms of the public pages: directory filters and the enterprise profile editor.

Choices are built per request (in __init__) so labels follow the visitor's language.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from weft.core.params import SEARCH_MAX_LENGTH

from . import divisions
from .models import Certification, ChainStage, Cluster, Enterprise, IndustryCode


def _unknown(message):
    # ChoiceField fills in the offending value as %(value)s.
    return {"invalid_choice": message}


def stage_choices():
    return [(s.code, s.name) for s in ChainStage.objects.all()]


def industry_code_choices():
    """Divisions as groups, each with its groups and classes, indented by level."""
    grouped: list = []
    current = None
    for code in IndustryCode.objects.order_by("code"):
        if code.level == IndustryCode.Level.DIVISION:
            current = []
            grouped.append((f"{code.code} {code.name}", current))
            whole = _("whole division")
            current.append((code.code, f"{code.code} {code.name} ({whole})"))
        elif current is not None:
            indent = (
                "\u00a0\u00a0"
                if code.level == IndustryCode.Level.GROUP
                else "\u00a0\u00a0\u00a0\u00a0"
            )
            current.append((code.code, f"{indent}{code.code} {code.name}"))
    return grouped


def certification_choices():
    return [(c.code, c.name) for c in Certification.objects.all()]


def province_choices(names=None):
    """(code, name in the active language) of each province, or of those named (in Chinese)."""
    return [
        (d.adcode[:2], divisions.province_label(d))
        for d in divisions.provinces()
        if names is None or d.name in names
    ]


class _NormalisedProvince:
    """Accept a province as '44', '440000', '广东省' or '广东' in links; the select uses '44'."""

    def _normalise_province(self, data):
        if data is None or not data.get("province"):
            return data
        code = divisions.province_code(data["province"])
        if code and code != data["province"]:
            data = data.copy()
            data["province"] = code
        return data


class EnterpriseFilterForm(_NormalisedProvince, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, product, place or USCC — e.g. 虎门")}
        ),
    )
    cluster = forms.ChoiceField(
        label=_("Cluster"),
        required=False,
        error_messages=_unknown(
            _("There is no cluster “%(value)s”, so this filter was not applied.")
        ),
    )
    province = forms.ChoiceField(
        label=_("Province"),
        required=False,
        error_messages=_unknown(
            _("There is no province “%(value)s”, so this filter was not applied.")
        ),
    )
    stage = forms.ChoiceField(
        label=_("Chain stage"),
        required=False,
        error_messages=_unknown(
            _("There is no chain stage “%(value)s”, so this filter was not applied.")
        ),
    )
    industry_code = forms.ChoiceField(
        label=_("Industry code (GB/T 4754)"),
        required=False,
        error_messages=_unknown(
            _("There is no industry code “%(value)s”, so this filter was not applied.")
        ),
    )
    certification = forms.ChoiceField(
        label=_("Certification"),
        required=False,
        error_messages=_unknown(
            _("There is no certification “%(value)s”, so this filter was not applied.")
        ),
    )
    size_band = forms.ChoiceField(
        label=_("Size"),
        required=False,
        error_messages=_unknown(
            _("There is no size band “%(value)s”, so this filter was not applied.")
        ),
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(self._normalise_province(data), **kwargs)
        anything = [("", _("Any"))]
        self.fields["cluster"].choices = anything + [
            (c.slug, f"{c.name} · {divisions.province_name(c.province)}")
            for c in Cluster.objects.order_by("province", "slug")
        ]
        self.fields["province"].choices = anything + province_choices()
        self.fields["stage"].choices = anything + stage_choices()
        self.fields["industry_code"].choices = anything + industry_code_choices()
        self.fields["certification"].choices = anything + certification_choices()
        self.fields["size_band"].choices = anything + list(Enterprise.SizeBand.choices)

    def selector_filters(self) -> dict:
        """The valid filters, as keyword arguments for selectors.EnterpriseFilters."""
        data = getattr(self, "cleaned_data", {})
        out = {
            k: data[k]
            for k in ("q", "province", "stage", "industry_code", "certification", "size_band")
            if data.get(k)
        }
        if data.get("cluster"):
            out["cluster"] = Cluster.objects.only("id").get(slug=data["cluster"]).pk
        return out

    def selected_cluster(self):
        slug = getattr(self, "cleaned_data", {}).get("cluster")
        return Cluster.objects.filter(slug=slug).first() if slug else None


class ClusterFilterForm(_NormalisedProvince, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or place — e.g. 柯桥")}
        ),
    )
    province = forms.ChoiceField(
        label=_("Province"),
        required=False,
        error_messages=_unknown(
            _("There is no province “%(value)s”, so this filter was not applied.")
        ),
    )
    specialty = forms.CharField(
        label=_("Specialty"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 女装, knitwear")}),
    )
    stage = forms.ChoiceField(
        label=_("Chain stage"),
        required=False,
        error_messages=_unknown(
            _("There is no chain stage “%(value)s”, so this filter was not applied.")
        ),
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(self._normalise_province(data), **kwargs)
        anything = [("", _("Any"))]
        with_clusters = set(Cluster.objects.values_list("province", flat=True))
        self.fields["province"].choices = anything + province_choices(with_clusters)
        self.fields["stage"].choices = anything + stage_choices()

    def selector_filters(self) -> dict:
        data = getattr(self, "cleaned_data", {})
        return {k: data[k] for k in ("q", "province", "stage", "specialty") if data.get(k)}


VISIBILITY_FIELDS = {f: f"{f}_visibility" for f in Enterprise.CONTACT_FIELDS}


class EnterpriseEditForm(forms.Form):
    """The fields a firm (or its cluster office) keeps. Saved through services.update_enterprise."""

    name_zh = forms.CharField(label=_("Chinese name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=Enterprise.LegalForm.choices)
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("The full Chinese address; the county is found from it."),
    )
    main_products = forms.CharField(
        label=_("Main products"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    stages = forms.MultipleChoiceField(
        label=_("Chain stages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    industry_codes = forms.MultipleChoiceField(
        label=_("Industry codes (GB/T 4754)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose more than one."),
    )
    certifications = forms.MultipleChoiceField(
        label=_("Certifications"), required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity_quantity = forms.DecimalField(
        label=_("Capacity"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    capacity_unit = forms.CharField(
        label=_("Capacity unit"),
        max_length=20,
        required=False,
        help_text=_("pieces, metres, tonnes…"),
    )
    capacity_period = forms.ChoiceField(
        label=_("Capacity period"),
        required=False,
        choices=[("", "—")] + list(Enterprise.CapacityPeriod.choices),
    )
    employees = forms.IntegerField(label=_("Employees"), required=False, min_value=0)
    founded_year = forms.IntegerField(
        label=_("Founded (year)"), required=False, min_value=1800, max_value=2100
    )
    ecommerce_channels = forms.CharField(
        label=_("E-commerce channels"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas, e.g. Tmall, JD, 1688"),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_name_visibility = forms.ChoiceField(
        label=_("Who may see the contact person"), choices=Enterprise.Visibility.choices
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    contact_phone_visibility = forms.ChoiceField(
        label=_("Who may see the phone"), choices=Enterprise.Visibility.choices
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_email_visibility = forms.ChoiceField(
        label=_("Who may see the e-mail"), choices=Enterprise.Visibility.choices
    )

    M2M = ("stages", "industry_codes", "certifications")

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        self.enterprise = enterprise
        kwargs.setdefault("initial", self.initial_from(enterprise))
        super().__init__(*args, **kwargs)
        self.fields["stages"].choices = stage_choices()
        self.fields["industry_codes"].choices = industry_code_choices()
        self.fields["certifications"].choices = certification_choices()

    @classmethod
    def initial_from(cls, e: Enterprise) -> dict:
        initial = {
            name: getattr(e, name)
            for name in cls.base_fields
            if hasattr(e, name) and name not in cls.M2M and name != "ecommerce_channels"
        }
        initial["ecommerce_channels"] = ", ".join(e.ecommerce_channels or [])
        for name in cls.M2M:
            initial[name] = [o.code for o in getattr(e, name).all()]
        for field, vis in VISIBILITY_FIELDS.items():
            initial[vis] = e.contact_visibility_of(field)
        return initial

    def clean_ecommerce_channels(self):
        raw = self.cleaned_data["ecommerce_channels"].replace("，", ",").replace("、", ",")
        return [c.strip() for c in raw.split(",") if c.strip()]

    def changes(self) -> dict:
        """Only what the person changed, so provenance names them for those fields alone."""
        data = {}
        changed = set(self.changed_data)
        for name in changed - set(VISIBILITY_FIELDS.values()):
            value = self.cleaned_data[name]
            if value is None and name in ("capacity_unit", "capacity_period"):
                value = ""
            data[name] = value
        if changed & set(VISIBILITY_FIELDS.values()):
            data["contact_visibility"] = {
                field: self.cleaned_data[vis] for field, vis in VISIBILITY_FIELDS.items()
            }
        return data


class ConfirmOwnerForm(forms.Form):
    username_or_email = forms.CharField(
        label=_("The owner's username or email"),
        max_length=254,
        help_text=_(
            "The person who runs this firm, once you have checked who they are. They need a Weft "
            "account already, and become the owner of the firm's organisation."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
