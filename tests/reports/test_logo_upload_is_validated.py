"""Logos: Pillow decides what the file is; SVG, non-images and decompression bombs are refused before
decoding; what is stored is a re-encoded PNG resized to fit the box."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports import services
from reports.models import Branding
from tests.conftest import url
from tests.reports.helpers import png_bytes

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _upload(content: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _brand(org, member, logo):
    return services.branding_update(org=org, by=member, display_name="Acme", primary_colour="#112233",
                                    accent_colour="#445566", logo=logo)


def test_a_large_jpeg_is_stored_as_a_png_that_fits_the_box(acme, acme_ceo):
    raw = io.BytesIO()
    Image.new("RGB", (3000, 1500), (10, 120, 200)).save(raw, format="JPEG")
    branding = _brand(acme, acme_ceo, _upload(raw.getvalue(), "logo.jpg", "image/jpeg"))
    with branding.logo.open("rb") as f, Image.open(f) as stored:
        assert stored.format == "PNG"
        assert stored.size == (400, 200)  # 600 × 200 box, proportions kept


@pytest.mark.parametrize("content,name,code", [
    (SVG, "logo.svg", "svg"),
    (SVG, "logo.png", "svg"),  # an SVG renamed .png is still refused
    (b"%PDF-1.4 not an image", "logo.png", "unreadable"),
    (png_bytes(size=(8, 8)), "tiny.png", "small"),
])
def test_what_is_not_a_safe_raster_image_is_refused(acme, acme_ceo, content, name, code):
    with pytest.raises(ValidationError) as refused:
        _brand(acme, acme_ceo, _upload(content, name))
    assert refused.value.code == code
    assert not Branding.objects.for_org(acme).filter(logo__gt="").exists()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(acme, acme_ceo):
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, format="PNG")  # 64 M pixels in a few kB
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(ValidationError) as refused:
        _brand(acme, acme_ceo, _upload(bomb.getvalue()))
    assert refused.value.code in {"pixels", "unreadable"}


def test_a_file_over_the_size_limit_is_refused(acme, acme_ceo, settings):
    settings.REPORTS_LOGO_MAX_BYTES = 1_000
    with pytest.raises(ValidationError) as refused:
        _brand(acme, acme_ceo, _upload(png_bytes(size=(600, 600)) + b"\0" * 2_000))
    assert refused.value.code == "too_large"


def test_the_branding_page_says_why_a_logo_is_refused(client, acme, acme_ceo):
    client.force_login(acme_ceo.user)
    response = client.post(url("reports:branding", org_slug="acme"), {
        "display_name": "Acme", "primary_colour": "#112233", "accent_colour": "#445566",
        "logo": _upload(SVG, "logo.svg", "image/svg+xml")})
    assert response.status_code == 200
    assert "SVG logos are not accepted" in response.content.decode()


def test_the_viewer_cannot_change_the_branding(client, acme):
    from accounts.capabilities import Role
    from tests.factories import make_member

    viewer = make_member(acme, role=Role.VIEWER)
    client.force_login(viewer.user)
    assert client.post(url("reports:branding", org_slug="acme"), {"display_name": "X"}).status_code == 403
