"""Forms for the account and organisation pages.

Every form ties its errors and help texts to its inputs (aria-describedby, aria-invalid) so
screen readers announce them next to the field, not just somewhere on the page.
"""

import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from weft.registry import divisions
from weft.registry.identifiers import validate_uscc
from weft.registry.models import ChainStage, Cluster, Enterprise

from .models import Membership, User


class AccessibleFormMixin:
    """Points each input at its help text and errors, and marks invalid inputs."""

    def _describe(self):
        # Only errors found so far: reading self.errors here would validate too early.
        errors = self._errors or {}
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if name in errors:
                ids.append(f"{bound.auto_id}_errors")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            extra = field.widget.attrs.get("data-describedby", "")
            ids += extra.split() if extra else []
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(dict.fromkeys(ids))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()

    def full_clean(self):
        super().full_clean()
        self._describe()


class SignUpForm(AccessibleFormMixin, UserCreationForm):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("We send a welcome message and nothing else you did not ask for."),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        required=False,
        help_text=_("How other people on Weft see you, e.g. 张丽 or Li Zhang."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "display_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["display_name"].widget.attrs.update({"autocomplete": "name"})
        self._describe()

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email already exists. Log in or reset your password."),
                code="duplicate_email",
            )
        return email


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    pass


class PasswordChangeFormA11y(AccessibleFormMixin, PasswordChangeForm):
    pass


class ProfileForm(AccessibleFormMixin, forms.Form):
    """A plain form (not a ModelForm) so the user is only changed by accounts.services."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        required=False,
        help_text=_("How other people on Weft see you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        required=False,
        help_text=_("Pages and emails use this language on every device you sign in on."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        kwargs.setdefault(
            "initial",
            {"display_name": user.display_name, "email": user.email, "language": user.language},
        )
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("Follow my browser")),
            *User._meta.get_field("language").choices,
        ]

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(
                _("Another account already uses this email."), code="duplicate_email"
            )
        return email


class ClusterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {divisions.province_name(obj.province)}"


class UsccField(forms.CharField):
    """A unified social credit code: every problem found becomes its own message."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        result = validate_uscc(value)
        if not result.valid:
            raise forms.ValidationError(
                [forms.ValidationError(e["message"], code=e["code"]) for e in result.errors]
            )
        return result.code


def _this_year() -> int:
    return datetime.date.today().year


class EnterpriseRegistrationForm(AccessibleFormMixin, forms.Form):
    uscc = UsccField(
        label=_("Unified social credit code (统一社会信用代码)"),
        max_length=40,  # normalised to 18; room for spaces and hyphens people paste in
        help_text=_("18 characters, printed on the business licence (营业执照)."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "hx-get": reverse_lazy("accounts:check_uscc"),
                "hx-trigger": "input changed delay:400ms, blur",
                "hx-target": "#uscc-feedback",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "data-describedby": "uscc-feedback",
            }
        ),
    )
    name_zh = forms.CharField(
        label=_("Registered name in Chinese"),
        max_length=200,
        help_text=_("Exactly as on the business licence, e.g. 东莞市虎门镇丽人制衣有限公司."),
    )
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        choices=Enterprise.LegalForm.choices,
        initial=Enterprise.LegalForm.LIMITED,
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        help_text=_("Province, city, county and street, e.g. 广东省东莞市虎门镇连升路1号."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    stages = forms.ModelMultipleChoiceField(
        label=_("Stages of the chain you work in"),
        queryset=ChainStage.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    main_products = forms.CharField(
        label=_("Main products"),
        max_length=500,
        required=False,
        help_text=_("e.g. 女装连衣裙, 涤纶面料."),
    )
    employees = forms.IntegerField(
        label=_("Employees"), min_value=0, max_value=10_000_000, required=False
    )
    founded_year = forms.IntegerField(label=_("Year founded"), min_value=1800, required=False)
    cluster = ClusterChoiceField(
        label=_("Ask to join a cluster"),
        queryset=Cluster.objects.all(),
        required=False,
        empty_label=_("Not now"),
        help_text=_("The cluster's office reviews your request."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["founded_year"].widget.attrs["max"] = _this_year()
        self._describe()

    def clean_founded_year(self):
        year = self.cleaned_data["founded_year"]
        if year is not None and year > _this_year():
            raise forms.ValidationError(
                _("The year founded cannot be in the future."), code="future_year"
            )
        return year

    def registry_data(self) -> dict:
        """The fields as registry.services.register_enterprise expects them."""
        d = self.cleaned_data
        return {
            "uscc": d["uscc"],
            "name_zh": d["name_zh"].strip(),
            "name_en": d["name_en"].strip(),
            "legal_form": d["legal_form"],
            "address": d["address"].strip(),
            "stages": [s.code for s in d["stages"]],
            "main_products": d["main_products"].strip(),
            "employees": d["employees"],
            "founded_year": d["founded_year"],
        }


class ServiceProviderForm(AccessibleFormMixin, forms.Form):
    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)


def role_choices(*, may_touch_owner: bool):
    """Roles the acting user may hand out; only owners make owners."""
    return [
        (value, label)
        for value, label in Membership.Role.choices
        if may_touch_owner or value != Membership.Role.OWNER
    ]


class AddMemberForm(AccessibleFormMixin, forms.Form):
    username_or_email = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        help_text=_("The person needs a Weft account already."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )

    def __init__(self, *args, may_touch_owner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(may_touch_owner=may_touch_owner)


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class JoinClusterForm(AccessibleFormMixin, forms.Form):
    cluster = ClusterChoiceField(
        label=_("Cluster"), queryset=Cluster.objects.all(), empty_label=_("Choose a cluster")
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


class TokenForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("What is the token for?"),
        max_length=100,
        required=False,
        help_text=_("e.g. ERP export, statistics upload script."),
    )
