"""Forms of the agreement editor, the acceptance and the onboarding steps editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kanali.core.forms import BootstrapMixin
from kanali.partners.models_agreements import AgreementTemplate, OnboardingStep


class AgreementTemplateForm(BootstrapMixin, forms.ModelForm):
    """The editor; the model's ``clean`` refuses unknown ``{{ variables }}`` beside the text."""

    class Meta:
        model = AgreementTemplate
        fields = ["title", "body", "commission_terms", "acceptance_deadline_days"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 22, "class": "font-monospace small", "spellcheck": "true"}),
            "commission_terms": forms.Textarea(attrs={"rows": 3}),
        }


class AcceptForm(BootstrapMixin, forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(label=_("I have read this agreement and accept it on behalf of my company."))

    def __init__(self, *args: Any, organization: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organization:
            self.fields["confirm"].label = _("I have read this agreement and accept it on behalf of %(org)s") % {
                "org": organization
            }


class OnboardingStepForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = OnboardingStep
        fields = ["title", "description", "required", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance.is_custom:
            self.fields["title"].widget.attrs["placeholder"] = str(self.instance.Kind(self.instance.kind).label)


class NewStepForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What to do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    required = forms.BooleanField(label=_("Required for activation"), required=False, initial=True)
