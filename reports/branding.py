"""Logos people upload, made safe: Pillow decides what the file is, bombs are refused before decoding,
and what is stored is our own re-encoded, resized PNG (never the uploaded bytes, never SVG)."""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF"}
MIN_SIDE = 16


def logo_clean(upload) -> ContentFile:
    """The uploaded logo as a PNG that fits settings.REPORTS_LOGO_BOX, or a ValidationError saying why not."""
    if upload.size > settings.REPORTS_LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than %(mb)s MB.") % {
            "mb": settings.REPORTS_LOGO_MAX_BYTES // 1_000_000}, code="too_large")
    head = upload.read(512)
    upload.seek(0)
    if b"<svg" in head.lower() or head.lstrip().startswith(b"<"):
        # SVG can carry scripts and external references: refused whatever its name says.
        raise ValidationError(_("SVG logos are not accepted: upload a PNG, JPEG or WebP image."), code="svg")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:  # reads the header only
                kind, (width, height) = probe.format, probe.size
                if kind not in ACCEPTED_FORMATS:
                    raise ValidationError(_("Upload a PNG, JPEG or WebP image."), code="format")
                if width * height > settings.REPORTS_LOGO_MAX_PIXELS:
                    raise ValidationError(_("The image is too large (%(w)s × %(h)s pixels).") % {
                        "w": width, "h": height}, code="pixels")
                if min(width, height) < MIN_SIDE:
                    raise ValidationError(_("The image is too small: at least %(n)s pixels a side.") % {
                        "n": MIN_SIDE}, code="small")
                probe.seek(0)
                image = probe.convert("RGBA")  # decodes: now within the pixel bound checked above
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError) as exc:
        raise ValidationError(_("This file is not an image Pilotage can read."), code="unreadable") from exc
    image.thumbnail(settings.REPORTS_LOGO_BOX)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="logo.png")


@dataclass(frozen=True)
class BrandView:
    """What a report shows of its sender: name, logo (PNG bytes) and colours."""

    name: str
    primary: str
    accent: str
    logo_png: bytes | None = None

    @property
    def logo_data_uri(self) -> str:
        if not self.logo_png:
            return ""
        return "data:image/png;base64," + base64.b64encode(self.logo_png).decode()


DEFAULT_PRIMARY, DEFAULT_ACCENT = "#1f3a5f", "#d9822b"


def brand_view(org, branding) -> BrandView:
    """The organization's branding, or its plain name and the default colours when it set none."""
    if branding is None:
        return BrandView(name=org.name, primary=DEFAULT_PRIMARY, accent=DEFAULT_ACCENT)
    logo = None
    if branding.logo:
        try:
            with branding.logo.open("rb") as f:
                logo = f.read()
        except OSError:  # the file went missing from storage: the report goes out with the name only
            logo = None
    return BrandView(name=branding.display_name or org.name, primary=branding.primary_colour,
                     accent=branding.accent_colour, logo_png=logo)
