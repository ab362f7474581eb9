"""The workshop's agreement statistics (bie.workshop.stats) against published worked examples, and their
properties (perfect agreement, symmetry, relabelling, order of subjects, degenerate inputs).

Example counts come from the hypothesis profile (tests/conftest.py)."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bie.resources import load_data
from bie.workshop.stats import BANDS, SINGLE_CATEGORY, UNDEFINED, cohen_kappa, fleiss_kappa, landis_koch
from tests.conftest import examples

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists, 5 diagnoses (1 depression, 2 personality disorder,
# 3 schizophrenia, 4 neurosis, 5 other), one row per patient, one diagnosis per psychiatrist. Copied from
# statsmodels, statsmodels/stats/tests/test_inter_rater.py (``diagnoses``, the same data as R's
# ``irr::diagnoses``).
DIAGNOSES = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]

# Wikipedia, « Fleiss' kappa », worked example: 10 subjects, 14 raters, 5 categories (kappa 0.210, P̄ 0.378,
# P̄e 0.213). Copied from statsmodels, statsmodels/stats/tests/test_inter_rater.py (``table1``, checked there
# against the Wikipedia value 0.210).
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Gwet's R package irrCAC, dataset ``distrib.6raters`` (15 psychiatric patients, 6 raters, 5 categories:
# depression, personality disorder, schizophrenia, neurosis, other), as printed in the package's overview
# vignette (GitHub kgwet/irrCAC, README.md) with ``fleiss.kappa.dist(distrib.6raters)``:
# coeff 0.4139265, stderr 0.08119291, pa 0.5511111, pe 0.2340741.
DISTRIB_6RATERS = [
    [0, 0, 0, 6, 0],
    [0, 3, 0, 0, 3],
    [0, 1, 4, 0, 1],
    [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2],
    [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0],
    [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0],
    [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0],
    [1, 0, 0, 5, 0],
    [0, 2, 0, 3, 1],
]

# R ``irr`` dataset ``anxiety`` (20 subjects, 3 raters, anxiety levels 1-6), raters 2 and 3. Copied from
# statsmodels, statsmodels/stats/tests/test_inter_rater.py (``anxiety``, column-major).
ANXIETY_RATER2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
ANXIETY_RATER3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


def counts(ratings: list[list[int]], categories: list[int]) -> list[list[int]]:
    """Raw ratings (one row per subject) to the subjects × categories table of counts."""
    return [[row.count(c) for c in categories] for row in ratings]


def raters_from_table(table: list[list[int]]) -> tuple[list[str], list[str]]:
    """Two raters' lists of ratings from a contingency table (rows: first rater, columns: second)."""
    a: list[str] = []
    b: list[str] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [f"c{i}"] * count
            b += [f"c{j}"] * count
    return a, b


# ---------------------------------------------------------------------------------------------------------
# Published worked examples


def test_fleiss_1971_psychiatric_diagnoses() -> None:
    """Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological Bulletin,
    76(5), 378-382: kappa = .430 for the 30 × 6 diagnoses of Table 1. R ``irr::kappam.fleiss(diagnoses)``,
    quoted in statsmodels' test_inter_rater.py (``test_fleiss_kappa_irr``): kappa 0.4302445, z 17.65183 (the
    null standard error of Fleiss, Nee & Landis 1979), p-value 0."""
    r = fleiss_kappa(counts(DIAGNOSES, [1, 2, 3, 4, 5]))
    assert r.kappa is not None and r.z is not None and r.p_value is not None
    assert round(r.kappa, 3) == 0.430
    assert r.kappa == pytest.approx(0.4302445, abs=5e-8)
    assert r.z == pytest.approx(17.65183, abs=5e-6)
    assert r.p_value < 1e-60
    assert (r.n_subjects, r.n_raters, r.band) == (30, 6, "moderate")
    # The column totals of the aggregated table (statsmodels' test_aggregate_raters).
    table = counts(DIAGNOSES, [1, 2, 3, 4, 5])
    assert [sum(col) for col in zip(*table, strict=True)] == [26, 26, 30, 55, 43]


def test_wikipedia_fleiss_example() -> None:
    """Wikipedia, « Fleiss' kappa », worked example (10 subjects, 14 raters, 5 categories): P̄ = 0.378,
    P̄e = 0.213, kappa = 0.210 (the value statsmodels' ``test_fleiss_kappa`` checks to 3 decimals)."""
    r = fleiss_kappa(WIKIPEDIA_FLEISS)
    assert r.kappa is not None
    assert r.kappa == pytest.approx(0.210, abs=5e-4)
    assert r.observed == pytest.approx(0.378, abs=5e-4)
    assert r.expected == pytest.approx(0.213, abs=5e-4)
    assert (r.n_subjects, r.n_raters, r.band) == (10, 14, "fair")


def test_irrcac_distrib_6raters_standard_error() -> None:
    """Gwet, K. L., R package irrCAC, overview vignette: ``fleiss.kappa.dist(distrib.6raters)`` gives
    coeff 0.4139265, stderr 0.08119291 (Gwet 2008's linearised variance), pa 0.5511111, pe 0.2340741.
    irrCAC's interval (0.24, 0.588) uses Student's t with 14 df (2.144787); ours uses the normal quantile."""
    r = fleiss_kappa(DISTRIB_6RATERS)
    assert r.kappa is not None and r.se is not None and r.ci_low is not None and r.ci_high is not None
    assert r.kappa == pytest.approx(0.4139265, abs=5e-8)
    assert r.se == pytest.approx(0.08119291, abs=5e-9)
    assert r.observed == pytest.approx(0.5511111, abs=5e-8)
    assert r.expected == pytest.approx(0.2340741, abs=5e-8)
    assert round(r.kappa - 2.144787 * r.se, 3) == 0.240
    assert round(r.kappa + 2.144787 * r.se, 3) == 0.588
    assert r.ci_low == pytest.approx(r.kappa - 1.959964 * r.se, abs=1e-6)
    assert r.ci_high == pytest.approx(r.kappa + 1.959964 * r.se, abs=1e-6)


def test_sas_cohen_example() -> None:
    """SAS PROC FREQ (AGREE) printout quoted in statsmodels' test_inter_rater.py (``UnweightedCohens``,
    table [[0, 4, 1], [0, 8, 0], [0, 1, 5]]): Kappa 0.4842, ASE 0.1380, 95 % limits 0.2137-0.7547, ASE under
    H0 0.1484, Z 3.2626, two-sided p 0.0011 (Fleiss, Cohen & Everitt 1969 standard errors)."""
    a, b = raters_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    r = cohen_kappa(a, b)
    got = [r.kappa, r.se, r.ci_low, r.ci_high, r.se_null, r.z, r.p_value]
    assert all(v is not None for v in got)
    assert [round(v, 4) for v in got if v is not None] == [
        0.4842,
        0.1380,
        0.2137,
        0.7547,
        0.1484,
        3.2626,
        0.0011,
    ]
    assert (r.n_subjects, r.n_raters, r.dropped) == (19, 2, 0)


def test_wikipedia_cohen_example() -> None:
    """Wikipedia, « Cohen's kappa », worked example: 50 grant proposals, both yes 20, A yes / B no 5,
    A no / B yes 10, both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    a, b = raters_from_table([[20, 5], [10, 15]])
    r = cohen_kappa(a, b)
    assert r.kappa == pytest.approx(0.4, abs=1e-12)
    assert r.observed == pytest.approx(0.7, abs=1e-12)
    assert r.expected == pytest.approx(0.5, abs=1e-12)
    assert r.band == "fair"


def test_r_irr_anxiety_cohen() -> None:
    """R ``irr::kappa2(anxiety[, 2:3])``, quoted in statsmodels' test_inter_rater.py (``ck_w1``): kappa
    -0.006289308, z -0.0604067, p-value 0.9518317."""
    r = cohen_kappa([str(x) for x in ANXIETY_RATER2], [str(x) for x in ANXIETY_RATER3])
    assert r.kappa is not None and r.z is not None and r.p_value is not None
    assert r.kappa == pytest.approx(-0.006289308, abs=5e-10)
    assert r.z == pytest.approx(-0.0604067, abs=5e-8)
    assert r.p_value == pytest.approx(0.9518317, abs=5e-8)
    assert r.band == "poor"


# ---------------------------------------------------------------------------------------------------------
# Landis & Koch


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (None, "undefined"),
        (-1.0, "poor"),
        (-0.0001, "poor"),
        (0.0, "slight"),
        (0.20, "slight"),
        (0.2001, "fair"),
        (0.40, "fair"),
        (0.41, "moderate"),
        (0.60, "moderate"),
        (0.61, "substantial"),
        (0.80, "substantial"),
        (0.81, "almost_perfect"),
        (1.0, "almost_perfect"),
    ],
)
def test_landis_koch_bands(kappa: float | None, band: str) -> None:
    """Landis & Koch (1977), Biometrics 33(1), p. 165: <0 poor, 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60
    moderate, 0.61-0.80 substantial, 0.81-1.00 almost perfect."""
    assert landis_koch(kappa) == band


@pytest.mark.parametrize("kappa", [math.nan, 1.5, -1.5, math.inf])
def test_landis_koch_refuses_what_is_not_a_kappa(kappa: float) -> None:
    with pytest.raises(ValueError, match="between -1 and 1"):
        landis_koch(kappa)


def test_every_band_has_french_and_english_words() -> None:
    words = load_data("workshop_words.yaml")
    bands = words["landis_koch"]["bands"]
    assert set(bands) == {*BANDS, UNDEFINED}
    for entry in [*bands.values(), words["landis_koch"]["scale"], *words["kappa_reasons"].values()]:
        assert set(entry) == {"fr", "en"} and all(entry.values())
    assert SINGLE_CATEGORY in words["kappa_reasons"]


# ---------------------------------------------------------------------------------------------------------
# Degenerate and malformed inputs


def test_fleiss_single_category_is_undefined_not_a_division_by_zero() -> None:
    r = fleiss_kappa([[0, 5, 0], [0, 5, 0], [0, 5, 0]])
    assert r.kappa is None and r.band == UNDEFINED and r.reason == SINGLE_CATEGORY
    assert r.se is r.ci_low is r.ci_high is r.z is r.p_value is None
    assert (r.n_subjects, r.n_raters, r.observed, r.expected) == (3, 5, 1.0, 1.0)


def test_cohen_single_category_is_undefined() -> None:
    r = cohen_kappa(["a", "a", "a", None], ["a", "a", "a", "b"], categories=["a", "b"])
    assert r.kappa is None and r.band == UNDEFINED and r.reason == SINGLE_CATEGORY
    assert (r.n_subjects, r.dropped) == (3, 1)


def test_cohen_one_rater_constant_has_no_z() -> None:
    """One rater always answers the same: P_o = P_e, kappa 0, and the null standard error is 0."""
    r = cohen_kappa(["a", "b", "a", "b"], ["a", "a", "a", "a"])
    assert r.kappa == 0.0 and r.se_null == 0.0
    assert r.z is None and r.p_value is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([], "at least 2 subjects"),
        ([[3, 3]], "at least 2 subjects"),
        ([[], []], "no category"),
        ([[1, 0], [0, 1]], "at least 2 raters"),
        ([[3, 3], [2, 3]], "row 2 counts 5 ratings, row 1 counts 6"),
        ([[3, 3], [3, 3, 0]], "row 2 has 3 categories, row 1 has 2"),
        ([[4, 2], [7, -1]], "row 2, column 2: counts are non-negative integers, got -1"),
        ([[4, 2], [3.0, 3]], "row 2, column 1"),
        ([[4, 2], [True, 5]], "row 2, column 1"),
    ],
)
def test_fleiss_malformed_tables(table: list[list[int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fleiss_kappa(table)


@pytest.mark.parametrize(
    ("a", "b", "categories", "message"),
    [
        (["x", "y"], ["x"], None, "2 ratings against 1"),
        (["x"], ["x"], None, "at least 2 subjects rated by both raters, got 1"),
        (["x", None, "y"], ["x", "y", None], None, r"got 1 \(2 left out for a missing rating\)"),
        (
            ["x", "y"],
            ["x", "z"],
            ["x", "y"],
            "subject 2: the second rater's 'z' is not one of the categories",
        ),
        (["x", "y"], ["x", "y"], [], "empty"),
        (["x", "y"], ["x", "y"], ["x", "y", "x"], "given twice: x"),
    ],
)
def test_cohen_malformed_inputs(
    a: list[str | None], b: list[str | None], categories: list[str] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cohen_kappa(a, b, categories)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95.0])
def test_bad_confidence_level(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        fleiss_kappa(WIKIPEDIA_FLEISS, confidence=confidence)
    with pytest.raises(ValueError, match="confidence"):
        cohen_kappa(["a", "b"], ["a", "b"], confidence=confidence)


def test_confidence_level_widens_the_interval() -> None:
    r90 = fleiss_kappa(DISTRIB_6RATERS, confidence=0.90)
    r99 = fleiss_kappa(DISTRIB_6RATERS, confidence=0.99)
    assert r90.ci_low is not None and r99.ci_low is not None
    assert r99.ci_low < r90.ci_low and r99.confidence == 0.99


# ---------------------------------------------------------------------------------------------------------
# Properties

CATEGORIES = ["specific", "transversal", "not_integrated", "dont_know"]
rating = st.sampled_from(CATEGORIES)


@st.composite
def two_raters(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Two raters' answers on the same 2-30 subjects, at least two categories used (kappa defined)."""
    n = draw(st.integers(2, 30))
    a = draw(st.lists(rating, min_size=n, max_size=n))
    b = draw(st.lists(rating, min_size=n, max_size=n))
    if len(set(a) | set(b)) == 1:
        b[0] = next(c for c in CATEGORIES if c != a[0])
    return a, b


@st.composite
def room(draw: st.DrawFn) -> list[list[int]]:
    """A subjects × 4 categories table: 2-15 actions, each classified by the same 2-10 participants."""
    raters = draw(st.integers(2, 10))
    subjects = draw(st.integers(2, 15))
    table = []
    for _ in range(subjects):
        answers = draw(st.lists(st.integers(0, 3), min_size=raters, max_size=raters))
        table.append([answers.count(c) for c in range(4)])
    return table


def same(x: float | None, y: float | None) -> bool:
    return (x is None and y is None) or (x is not None and y is not None and math.isclose(x, y, abs_tol=1e-9))


@settings(max_examples=examples(100))
@given(pair=two_raters())
def test_cohen_symmetric_in_the_two_raters(pair: tuple[list[str], list[str]]) -> None:
    a, b = pair
    r, s = cohen_kappa(a, b), cohen_kappa(b, a)
    assert r.kappa == s.kappa  # exact: computed in fractions
    for field in ("se", "se_null", "ci_low", "ci_high", "z", "p_value", "observed", "expected"):
        assert same(getattr(r, field), getattr(s, field)), field


@settings(max_examples=examples(100))
@given(pair=two_raters(), names=st.permutations(["A", "B", "C", "D"]), seed=st.integers(0, 2**32))
def test_cohen_invariant_to_labels_and_subject_order(
    pair: tuple[list[str], list[str]], names: list[str], seed: int
) -> None:
    a, b = pair
    relabel = dict(zip(CATEGORIES, names, strict=True))
    order = list(range(len(a)))
    random.Random(seed).shuffle(order)
    r = cohen_kappa(a, b, CATEGORIES)
    s = cohen_kappa([relabel[a[i]] for i in order], [relabel[b[i]] for i in order], names)
    assert r.kappa == s.kappa
    for field in ("se", "se_null", "ci_low", "ci_high", "z", "p_value"):
        assert same(getattr(r, field), getattr(s, field)), field


@settings(max_examples=examples(100))
@given(pair=two_raters(), holes=st.lists(st.integers(0, 29), max_size=5))
def test_cohen_drops_and_counts_missing_ratings(pair: tuple[list[str], list[str]], holes: list[int]) -> None:
    a, b = pair
    holes = sorted({h for h in holes if h < len(a)})
    kept = [i for i in range(len(a)) if i not in holes]
    a2: list[str | None] = list(a)
    b2: list[str | None] = list(b)
    for h in holes:
        (a2 if h % 2 else b2)[h] = None
    ka, kb = [a[i] for i in kept], [b[i] for i in kept]
    if len(kept) < 2 or len(set(ka) | set(kb)) == 1:
        return
    r, s = cohen_kappa(a2, b2), cohen_kappa(ka, kb)
    assert r.kappa == s.kappa and r.dropped == len(holes) and r.n_subjects == len(kept)


@settings(max_examples=examples(50))
@given(answers=st.lists(rating, min_size=2, max_size=30).filter(lambda xs: len(set(xs)) > 1))
def test_cohen_perfect_agreement_is_one(answers: list[str]) -> None:
    r = cohen_kappa(answers, list(answers))
    assert r.kappa == 1.0 and r.band == "almost_perfect"
    assert r.ci_high == 1.0


@settings(max_examples=examples(100))
@given(pair=two_raters())
def test_cohen_bounds(pair: tuple[list[str], list[str]]) -> None:
    r = cohen_kappa(*pair)
    assert r.kappa is not None and r.ci_low is not None and r.ci_high is not None
    assert -1 <= r.ci_low <= r.kappa <= r.ci_high <= 1
    assert 0 <= r.expected <= 1 and 0 <= r.observed <= 1
    assert r.band == landis_koch(r.kappa)
    if r.p_value is not None:
        assert 0 <= r.p_value <= 1


@settings(max_examples=examples(100))
@given(table=room(), seed=st.integers(0, 2**32))
def test_fleiss_invariant_to_subject_and_category_order(table: list[list[int]], seed: int) -> None:
    rng = random.Random(seed)
    rows = list(table)
    rng.shuffle(rows)
    columns = list(range(4))
    rng.shuffle(columns)
    shuffled = [[row[j] for j in columns] for row in rows]
    r, s = fleiss_kappa(table), fleiss_kappa(shuffled)
    assert r.kappa == s.kappa and r.reason == s.reason
    for field in ("se", "se_null", "ci_low", "ci_high", "z", "p_value", "observed", "expected"):
        assert same(getattr(r, field), getattr(s, field)), field


@settings(max_examples=examples(100))
@given(table=room())
def test_fleiss_bounds(table: list[list[int]]) -> None:
    r = fleiss_kappa(table)
    if r.kappa is None:
        assert r.reason == SINGLE_CATEGORY
        assert sum(1 for col in zip(*table, strict=True) if any(col)) == 1
        return
    assert r.ci_low is not None and r.ci_high is not None and r.se is not None
    assert -1 / (r.n_raters - 1) - 1e-12 <= r.kappa <= 1
    assert -1 <= r.ci_low <= r.kappa <= r.ci_high <= 1
    assert r.se >= 0 and r.se_null is not None and r.se_null > 0


@settings(max_examples=examples(50))
@given(
    choices=st.lists(st.integers(0, 3), min_size=2, max_size=15).filter(lambda xs: len(set(xs)) > 1),
    raters=st.integers(2, 10),
)
def test_fleiss_perfect_agreement_is_one(choices: list[int], raters: int) -> None:
    table = [[raters if j == c else 0 for j in range(4)] for c in choices]
    r = fleiss_kappa(table)
    assert r.kappa == 1.0 and r.se == 0.0 and r.band == "almost_perfect"
    assert r.ci_low == r.ci_high == 1.0


def test_fleiss_two_raters_is_scotts_pi() -> None:
    """With two raters Fleiss' kappa is Scott's pi: margins pooled over both raters (Fleiss 1971, p. 379)."""
    a, b = raters_from_table([[20, 5], [10, 15]])
    table = [[[x, y].count("c0"), [x, y].count("c1")] for x, y in zip(a, b, strict=True)]
    r = fleiss_kappa(table)
    pooled = (45 / 100) ** 2 + (55 / 100) ** 2
    assert r.kappa == pytest.approx((0.7 - pooled) / (1 - pooled), abs=1e-12)
