"""The web of institutionalisation (Caren Levy, 1996), as adapted for French contrats de ville.

>>> import polars as pl
>>> from bie.web import element_tags, load_model, profile
>>> actions = pl.DataFrame({"title": ["Marches exploratoires de femmes"], "category": ["specific"]})
>>> tagged = element_tags(actions)
>>> tagged["web_elements"].to_list()
[['experience', 'methodology', 'delivery']]
>>> territory = profile(tagged, load_model())
>>> territory.score("experience"), territory.score("policy")
(1, None)

- :func:`load_model` reads the model (``bie/data/web.yaml``): 4 spheres, 13 elements, links, scale,
  thresholds; :func:`load_web_rules` the rules that say which elements an action strengthens.
- :func:`element_tags` adds ``web_elements`` and ``web_reasons`` to a tagged frame.
- :func:`profile` scores the territory (actions and questionnaire) and returns a :class:`WebProfile`.
- :func:`write_questionnaire` / :func:`read_questionnaire`: the territorial questionnaire (.xlsx).
- :func:`render_svg` / :func:`text_alternative`: the picture and its text alternative.

The method is documented in ``docs/toile.md``.
"""

from bie.web.model import WebModel, load_model
from bie.web.profile import WebProfile, profile
from bie.web.questionnaire import Questionnaire, read_questionnaire, write_questionnaire
from bie.web.rules import WebRules, load_web_rules
from bie.web.svg import render_svg, text_alternative
from bie.web.tags import element_tags

__all__ = [
    "Questionnaire",
    "WebModel",
    "WebProfile",
    "WebRules",
    "element_tags",
    "load_model",
    "load_web_rules",
    "profile",
    "read_questionnaire",
    "render_svg",
    "text_alternative",
    "write_questionnaire",
]
