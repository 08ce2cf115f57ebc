"""Built-in KPI names are the catalogue's English, translated where the French catalogue has them;
a name a company typed for its own KPI is shown as typed."""

from tests.conftest import url
from tests.kpis.ui.kpi_data import make_kpi

# "Revenue and customers" is already a message of the French catalogue ("Chiffre d'affaires et clients"); any
# built-in name the translators add behaves the same way.
NAME = "Revenue and customers"


def _names(client, member) -> str:
    client.force_login(member.user)
    return client.get(url("kpis:catalogue", org_slug="acme"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_a_built_in_name_is_translated(client, alice, acme):
    make_kpi(acme, slug="builtin_one", name=NAME, is_builtin=True)
    html = _names(client, alice)
    row = html[html.index('data-kpi="builtin_one"'):]
    assert '<a href="/o/acme/kpis/builtin_one/">Chiffre d’affaires et clients</a>' in row[:row.index("</tr>")]


def test_a_companys_own_name_is_left_as_typed(client, alice, acme):
    make_kpi(acme, slug="own_one", name=NAME, is_builtin=False)
    html = _names(client, alice)
    row = html[html.index('data-kpi="own_one"'):]
    assert f'<a href="/o/acme/kpis/own_one/">{NAME}</a>' in row[:row.index("</tr>")]
