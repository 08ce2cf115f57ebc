"""Import runs and the column mappings remembered per organization and file layout."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgOwned


class ImportRun(OrgOwned):
    """One uploaded file, from validation to the rows written (or refused): who, when, what, how many."""

    class State(models.TextChoices):
        VALIDATING = "validating", _("validating")
        INVALID = "invalid", _("rows to fix")
        REFUSED = "refused", _("file refused")
        READY = "ready", _("ready to import")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    LIVE_STATES = (State.VALIDATING, State.IMPORTING)

    kind = models.CharField(_("record type"), max_length=40)
    state = models.CharField(max_length=12, choices=State.choices, default=State.VALIDATING)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField(default=0)
    # The file itself, kept until the run is imported or cancelled so the rows can be read again
    # at confirmation (and the rejected rows downloaded) without trusting anything the browser sends.
    content = models.BinaryField(editable=False)
    # What the validation typed, for the confirmed write (imports/typed_rows.py), and the rows its lookups
    # found (customers by name…), checked again at confirmation; both dropped with the file.
    typed_rows = models.BinaryField(editable=False, default=b"")
    lookups_found = models.JSONField(default=dict, blank=True)
    file_format = models.CharField(max_length=40, blank=True)  # "csv utf-8 ;" or "xlsx"
    header = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # column name → header in the file
    rows_total = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0)  # 0..100
    errors = models.JSONField(default=list, blank=True)  # the first IMPORTS_MAX_REPORTED_ERRORS RowErrors
    refusal = models.JSONField(default=dict, blank=True)  # {"code", "params"} when the whole file is refused
    preview = models.JSONField(default=list, blank=True)  # the first rows as parsed, for the user to check
    counts = models.JSONField(default=dict, blank=True)  # created / updated / unchanged once imported
    created_by = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    confirmed_by = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "-created_at"], name="importrun_org_created")]

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES

    @property
    def format_display(self) -> str:
        """`CSV · Windows-1252 · separator “;”` from the stored `csv cp1252 ';'`, in the reader's language."""
        if not self.file_format.startswith("csv"):
            return "Excel .xlsx" if self.file_format else ""
        _csv, encoding, delimiter = (self.file_format.split(" ", 2) + ["", ""])[:3]
        names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "cp1252": "Windows-1252"}
        separator = {"'\\t'": _("tab")}.get(delimiter, delimiter.strip("'"))
        return _("CSV · %(encoding)s · separator “%(separator)s”") % {
            "encoding": names.get(encoding, encoding), "separator": separator}

    @property
    def kind_label(self) -> str:
        from imports.registry import kind_class

        return str(kind_class(self.kind).label)

    @property
    def rows_valid(self) -> int:
        return self.rows_total - self.rows_rejected


class ImportMapping(OrgOwned):
    """The columns a user matched for one file layout (its header), proposed again next time."""

    kind = models.CharField(max_length=40)
    layout = models.CharField(max_length=64)  # sha256 of the normalised header
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "layout"], name="importmapping_uniq")]
