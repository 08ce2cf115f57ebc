from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from imports.registry import all_kinds


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(label=_("File (CSV or Excel .xlsx)"))

    def __init__(self, *args, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in all_kinds(membership)]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORTS_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(max)s MB: split it.")
                                        % {"max": settings.IMPORTS_MAX_BYTES // 1_000_000})
        return upload


class MappingForm(forms.Form):
    """One select per column of the kind, choosing among the file's headers."""

    def __init__(self, *args, kind, header, mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —")), *((h, h) for h in header)]
        for column in kind.columns:
            self.fields[column.name] = forms.ChoiceField(
                label=column.label, choices=choices, required=column.required, initial=mapping.get(column.name, ""),
                help_text=column.help)
