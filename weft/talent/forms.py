from django import forms
from django.utils.translation import gettext_lazy as _

from weft.accounts.models import Organisation
from weft.accounts.permissions import course_publishers_q, job_firms_q
from weft.registry.models import Cluster, Enterprise

from .models import Course, Job, TalentProfile


class NoSuffix:
    """Labels without a trailing colon (Chinese and English pages alike)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"


def publisher_orgs(user):
    return Organisation.objects.filter(course_publishers_q(user))


def job_firms(user):
    return Enterprise.objects.filter(job_firms_q(user))


class CourseForm(NoSuffix, forms.ModelForm):
    provider = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Publisher"))

    class Meta:
        model = Course
        fields = [
            "provider",
            "title",
            "topic",
            "level",
            "cluster",
            "starts_on",
            "ends_on",
            "mode",
            "place",
            "seats",
            "fee",
            "voucher_covered",
            "description",
        ]
        labels = {
            "title": _("Title"),
            "topic": _("Topic"),
            "level": _("Level"),
            "cluster": _("Cluster"),
            "starts_on": _("Starts on"),
            "ends_on": _("Ends on"),
            "mode": _("Where"),
            "place": _("Place"),
            "seats": _("Seats"),
            "fee": _("Fee (yuan)"),
            "voucher_covered": _("A voucher programme covers the fee"),
            "description": _("Description"),
        }
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = publisher_orgs(user)


class JobForm(NoSuffix, forms.ModelForm):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("Firm"))

    class Meta:
        model = Job
        fields = [
            "enterprise",
            "role",
            "title",
            "openings",
            "pay_min",
            "pay_max",
            "place",
            "description",
        ]
        labels = {
            "role": _("Role"),
            "title": _("Title"),
            "openings": _("People wanted"),
            "pay_min": _("Pay from (yuan/month)"),
            "pay_max": _("Pay to (yuan/month)"),
            "place": _("Place of work"),
            "description": _("Description"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = job_firms(user)


class ProfileForm(NoSuffix, forms.ModelForm):
    class Meta:
        model = TalentProfile
        fields = [
            "name",
            "role",
            "headline",
            "skills",
            "experience_years",
            "experience",
            "cluster",
            "availability",
            "visibility",
            "phone",
            "email",
            "id_number",
        ]
        labels = {
            "name": _("Name"),
            "role": _("Main role"),
            "headline": _("Headline"),
            "skills": _("Skills (comma-separated)"),
            "experience_years": _("Years of experience"),
            "experience": _("Experience"),
            "cluster": _("My cluster"),
            "availability": _("Availability"),
            "visibility": _("Who may see my profile"),
            "phone": _("Phone (private)"),
            "email": _("E-mail (private)"),
            "id_number": _("ID number (private)"),
        }
        help_texts = {
            "phone": _("Shown only to you and to firms you apply to."),
            "email": _("Shown only to you and to firms you apply to."),
            "id_number": _("Shown only to you and to firms you apply to."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.order_by("province", "slug")


class PortfolioForm(NoSuffix, forms.Form):
    image = forms.FileField(label=_("Portfolio image (JPEG, PNG or WebP, at most 5 MB)"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class ApplyForm(NoSuffix, forms.Form):
    note = forms.CharField(
        label=_("Note to the firm"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
