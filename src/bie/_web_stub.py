"""Temporary stand-in for bie.web while it is being written (same API, empty profile)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

IDS = [
    ("experience", "citizens"),
    ("constituencies", "citizens"),
    ("representation", "citizens"),
    ("commitment", "policy"),
    ("resources", "policy"),
    ("policy", "policy"),
    ("responsibility", "organisation"),
    ("procedures", "organisation"),
    ("staff", "organisation"),
    ("methodology", "delivery"),
    ("delivery", "delivery"),
    ("learning", "delivery"),
    ("research", "delivery"),
]


@dataclass
class Model:
    version: str = "stub"


@dataclass
class Profile:
    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        return {
            "version": "stub",
            "elements": [
                {
                    "id": i,
                    "sphere": s,
                    "label_fr": i,
                    "label_en": i,
                    "score": None,
                    "source": "none",
                    "actions": [],
                    "amount": 0.0,
                    "evidence": [],
                    "explanation": "",
                }
                for i, s in IDS
            ],
            "spheres": [],
            "links": [],
            "weak": [],
            "broken_links": [],
        }


def load_model() -> Model:
    return Model()


def read_questionnaire(path: Any) -> None:
    return None


def element_tags(frame: pl.DataFrame, model: Any) -> pl.DataFrame:
    return frame.with_columns(pl.lit([], pl.List(pl.String)).alias("web_elements"))


def profile(frame: pl.DataFrame, model: Any, questionnaire: Any = None, amount: str = "_amount") -> Profile:
    return Profile()


def render_svg(profile: Any, lang: str = "fr") -> str:
    return '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 10 10"><title>toile</title></svg>'


def text_alternative(profile: Any, lang: str = "fr") -> str:
    return "Toile non disponible."
