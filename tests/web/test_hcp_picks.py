"""Pages that take an HCP take a name: the network explorer, paths and introductions.

With script, the type-ahead puts the chosen id in the form (tests/browser); without it the
name alone arrives and the server resolves it, or lists the HCPs it may mean.
Data: ``tests/data/web_bundle`` (see ``web_data.py``).
"""

from __future__ import annotations

import re

import pytest
from web_data import EVIL, EVIL_ESCAPED, loaded  # noqa: F401 (fixture)

CHOICES = re.compile(r'<tr data-hcp-id="([^"]+)"><td><a href="([^"]+)"')


@pytest.fixture
def as_user(auth, loaded):
    return auth.as_user


def choices(html: str) -> dict[str, str]:
    return {hcp_id: href.replace("&amp;", "&") for hcp_id, href in CHOICES.findall(html)}


def test_the_explorer_offers_name_pickers_not_id_boxes(as_user):
    html = as_user("max").get("/network/").get_data(as_text=True)
    for field in ("hcp_id", "from", "to"):
        assert f'name="{field}_name"' in html and f'name="{field}" value=""' in html
    assert 'data-search-url="/api/v1/hcps"' in html
    assert "(hcp_id)" not in html


def test_a_chosen_id_opens_the_network(as_user):
    response = as_user("max").get("/network/?hcp_id=H01&hcp_id_name=whatever")
    assert response.headers["Location"].endswith("/network/hcp/H01")


def test_a_name_naming_one_hcp_opens_its_network(as_user):
    response = as_user("max").get("/network/?hcp_id=&hcp_id_name=northcott")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/network/hcp/H01")


def test_an_ambiguous_name_lists_the_hcps_it_may_mean(as_user):
    with_s = as_user("max").get("/network/?hcp_id=&hcp_id_name=s")  # Sofia Southey, Sam Sutter...
    found = choices(with_s.get_data(as_text=True))
    assert with_s.status_code == 200 and len(found) > 1 and "H04" in found
    assert found["H04"].startswith("/network/?") and "hcp_id=H04" in found["H04"]
    assert "hcp_id_name" not in found["H04"]


def test_a_name_naming_nobody_is_a_404_page_with_the_way_back(as_user):
    response = as_user("max").get("/network/?hcp_id_name=nobody+at+all")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and 'data-count="0"' in html
    assert "nobody at all" in html and 'href="/hcps?q=nobody+at+all"' in html


def test_an_msl_picks_only_in_their_territory(as_user):
    client = as_user("mia")
    assert client.get("/network/?hcp_id_name=southey").status_code == 404
    assert (
        client.get("/network/?hcp_id_name=northcott")
        .headers["Location"]
        .endswith("/network/hcp/H01")
    )
    assert client.get("/network/?hcp_id=H04").status_code == 302  # the view then says 404
    assert client.get("/network/hcp/H04").status_code == 404


def test_typed_markup_and_names_are_escaped_on_the_choice_page(as_user):
    client = as_user("max")
    html = client.get("/network/?hcp_id_name=or").get_data(as_text=True)  # Nora, Hector, onerror
    assert set(choices(html)) == {"H01", "H02", "H05"}
    assert EVIL not in html and EVIL_ESCAPED in html
    typed = client.get("/network/?hcp_id_name=<script>no").get_data(as_text=True)
    assert "<script>no" not in typed and "&lt;script&gt;no" in typed


def test_a_path_between_two_names(as_user):
    client = as_user("max")
    response = client.get("/network/path?from_name=northcott&to_name=southey")
    assert response.headers["Location"].endswith("/hcp/H01/collaborators?to=H04#path-section")
    html = client.get("/hcp/H01/collaborators?to=H04").get_data(as_text=True)
    assert 'id="path-result"' in html and 'value="Sofia Southey"' in html


def test_a_path_asks_which_hcp_one_end_at_a_time(as_user):
    html = as_user("max").get("/network/path?from=H01&to_name=s").get_data(as_text=True)
    found = choices(html)
    assert "H04" in found and found["H04"].startswith("/network/path?")
    assert "from=H01" in found["H04"] and "to=H04" in found["H04"]


def test_a_path_needs_both_ends(as_user):
    assert as_user("max").get("/network/path?from=H01").status_code == 400


def test_the_path_form_of_a_collaborators_page_takes_a_name(as_user):
    client = as_user("max")
    html = client.get("/hcp/H01/collaborators?to_name=southey").get_data(as_text=True)
    assert 'id="path-result"' in html and 'data-hcp-id="H04"' in html
    listed = client.get("/hcp/H01/collaborators?to_name=s").get_data(as_text=True)
    assert choices(listed)["H04"].startswith("/hcp/H01/collaborators?")


def test_an_introduction_by_name(as_user):
    response = as_user("max").get("/network/intro?hcp_id_name=southey")
    assert response.headers["Location"].endswith("/hcp/H04/collaborators#warm-intro-section")
    assert as_user("max").get("/network/intro").status_code == 400


def test_an_institution_by_name(as_user):
    client = as_user("max")
    one = client.get("/network/?institution_name=south+medical")
    assert one.headers["Location"].endswith("/network/institution/I2")
    html = client.get("/network/?institution_name=e").get_data(as_text=True)
    assert re.findall(r'data-institution-id="([^"]+)"', html) == ["I1", "I2"]
    assert "North General &lt;b&gt;Hospital&lt;/b&gt;" in html
    assert client.get("/network/?institution_name=nowhere").status_code == 404
