"""« Pistes d'actions » (issue 11): every weak element and every broken link of the web has at least one
documented practice, each with a public source."""

from __future__ import annotations

from typing import Any

import pytest

from bie.errors import ConfigError
from bie.web import load_model
from bie.workshop import practices


def test_every_element_and_link_has_a_sourced_practice() -> None:
    model = load_model()
    found = practices.load_practices(model)
    assert len({p.id for p in found}) == len(found)
    for element in model.ids:
        assert any(element in p.elements for p in found), element
    for link in model.links:
        assert any((link.source, link.target) in p.links for p in found), (link.source, link.target)
    for p in found:
        assert p.sources, p.id
        assert all(s.href.startswith(("http://", "https://")) for s in p.sources), p.id
        assert p.fr != p.en and p.fr.strip() and p.en.strip()


def test_suggest_follows_the_model_order_and_names_sources() -> None:
    model = load_model()
    got = practices.suggest(["research", "staff"], [("commitment", "policy")], model)
    assert [s.element or s.link for s in got] == ["staff", "research", ("commitment", "policy")]
    assert [p.id for p in got[0].practices] == ["PISTE-STAFF-01"]
    assert "former les agents instructeurs" in got[0].practices[0].text("fr").lower()
    assert "train the officers" in got[0].practices[0].text("en").lower()
    cited = practices.sources_of(got)
    assert cited and len({s.id for s in cited}) == len(cited)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"elements": ["nowhere"]}, "unknown element: nowhere"),
        ({"links": ["staff>experience"]}, "link not in the model: staff>experience"),
        ({"sources": ["unlisted"]}, "source not listed: unlisted"),
        ({"elements": [], "links": []}, "neither element nor link"),
        ({"colour": "red"}, "unknown key(s): colour"),
    ],
)
def test_a_broken_practice_is_named(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, Any], message: str
) -> None:
    real = practices.load_data(practices.FILE)
    first = {**real["practices"][0], **change}
    broken = {**real, "practices": [first, *real["practices"][1:]]}
    monkeypatch.setattr(practices, "load_data", lambda name: broken)
    practices.load_practices.cache_clear()
    try:
        with pytest.raises(ConfigError) as info:
            practices.load_practices(load_model())
        assert f"practices[0] (PISTE-EXP-01): {message}" in info.value.message("en")
    finally:
        practices.load_practices.cache_clear()
