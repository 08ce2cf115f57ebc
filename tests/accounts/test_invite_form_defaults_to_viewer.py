"""The invitation form offers the least power by default: Viewer, never CEO."""

import re

from tests.conftest import url


def test_the_invite_form_preselects_viewer(client, acme_ceo):
    client.force_login(acme_ceo.user)
    html = client.get(url("accounts:member_list", org_slug="acme")).content.decode()
    form = html[html.index('action="/o/acme/members/invite/"'):]
    form = form[:form.index("</form>")]
    selected = re.findall(r'<option value="(\w+)"[^>]*selected', form)
    assert selected == ["viewer"]
