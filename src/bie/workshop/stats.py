"""Agreement statistics for the workshop: how far the room agrees when participants classify the same actions.

Pure Python (standard library only). Chance-corrected agreement is ``κ = (P_o − P_e) / (1 − P_e)``, with
``P_o`` the observed agreement and ``P_e`` the agreement expected by chance; both coefficients below are
computed exactly (in :class:`fractions.Fraction`) before being turned into floats, so they do not depend on
the order of the subjects or on the names of the categories.

**Fleiss' kappa** (:func:`fleiss_kappa`), N subjects each classified by the same n ≥ 2 raters into k
categories, ``n_ij`` raters putting subject i in category j:

* Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. *Psychological Bulletin*, 76(5),
  378–382, eqs. (2)–(9): ``p_j = Σ_i n_ij / (N n)``, ``P_i = (Σ_j n_ij² − n) / (n (n − 1))``,
  ``P_o = mean(P_i)``, ``P_e = Σ_j p_j²``.
* Standard error under the null hypothesis κ = 0, used for ``z`` and the p-value: Fleiss, J. L., Nee, J. C. M.
  & Landis, J. R. (1979). Large sample variance of kappa in the case of different sets of raters.
  *Psychological Bulletin*, 86(5), 974–977 (the correction of Fleiss 1971's variance)::

      se0 = √(2 / (N n (n − 1))) · √((Σ p_j q_j)² − Σ p_j q_j (q_j − p_j)) / Σ p_j q_j,   q_j = 1 − p_j

  It is the one of R's ``irr::kappam.fleiss`` and of Fleiss, Levin & Paik (2003), *Statistical Methods for
  Rates and Proportions*, 3rd ed., ch. 18.
* Standard error for the confidence interval (κ ≠ 0): FNL 1979 hold only under κ = 0, so the interval uses
  the linearised variance of Gwet, K. L. (2008). Computing inter-rater reliability and its variance in the
  presence of high agreement. *British Journal of Mathematical and Statistical Psychology*, 61, 29–48 (also
  Gwet, *Handbook of Inter-Rater Reliability*, 4th ed., 2014; R package ``irrCAC``,
  ``fleiss.kappa.dist``), without finite-population correction::

      κ_i  = (P_i − P_e) / (1 − P_e)
      pe_i = Σ_j (n_ij / n) p_j
      κ*_i = κ_i − 2 (1 − κ) (pe_i − P_e) / (1 − P_e)
      se²  = Σ_i (κ*_i − κ)² / (N (N − 1))

  The interval is the large-sample one, ``κ ± z_{1−α/2} · se`` (normal quantile; ``irrCAC`` uses Student's
  t with N − 1 degrees of freedom, slightly wider for few subjects), clipped to [−1, 1].

**Cohen's kappa** (:func:`cohen_kappa`), two raters on the same n subjects, ``p_ij`` the share of subjects put
in category i by the first and j by the second, ``p_i.``/``p_.j`` the margins:

* Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and Psychological
  Measurement*, 20(1), 37–46: ``P_o = Σ_i p_ii``, ``P_e = Σ_i p_i. p_.i``.
* Asymptotic variances of Fleiss, J. L., Cohen, J. & Everitt, B. S. (1969). Large sample standard errors of
  kappa and weighted kappa. *Psychological Bulletin*, 72(5), 323–327 (as in SAS PROC FREQ ``AGREE`` and
  statsmodels ``cohens_kappa``), for the interval::

      se² = [Σ_i p_ii (1 − (p_i. + p_.i)(1 − κ))² + (1 − κ)² Σ_{i≠j} p_ij (p_.i + p_j.)²
             − (κ − P_e (1 − κ))²] / (n (1 − P_e)²)

  and under κ = 0, for ``z`` and the p-value::

      se0² = [P_e + P_e² − Σ_i p_i. p_.i (p_i. + p_.i)] / (n (1 − P_e)²)

p-values are two-sided, ``P(|Z| ≥ |z|)`` for a standard normal Z.

**Degenerate case.** When every rating falls in one single category, ``P_e = 1`` and κ is 0/0: the result has
``kappa=None``, band ``undefined`` and ``reason="single_category"`` (no division by zero). When a null
standard error is zero (one rater always gives the same answer: κ = 0 exactly), ``z`` and the p-value are
``None``.

**Reading scale.** :func:`landis_koch` gives the band of Landis, J. R. & Koch, G. G. (1977). The measurement
of observer agreement for categorical data. *Biometrics*, 33(1), 159–174 (p. 165); its words, French and
English, are in ``bie/data/workshop_words.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist

#: The Landis & Koch (1977) bands, from the lowest to the highest, then the id of an undefined kappa.
BANDS = ("poor", "slight", "fair", "moderate", "substantial", "almost_perfect")
UNDEFINED = "undefined"
#: Why a kappa is undefined: every rating in one single category (P_e = 1).
SINGLE_CATEGORY = "single_category"
#: Upper bounds (inclusive) of the bands from ``slight`` to ``substantial``; above 0.80 is ``almost_perfect``.
_UPPER = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"))
#: Tolerance on the range [−1, 1] of a kappa given to :func:`landis_koch` (floating-point rounding).
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class KappaResult:
    """One chance-corrected agreement coefficient with its precision.

    ``se`` is the standard error for κ as estimated (Gwet 2008 for Fleiss, Fleiss–Cohen–Everitt 1969 for
    Cohen) and gives ``[ci_low, ci_high]``; ``se_null`` is the standard error under κ = 0 (Fleiss–Nee–Landis
    1979 for Fleiss, Fleiss–Cohen–Everitt 1969 for Cohen) and gives ``z = κ / se_null`` and the two-sided
    ``p_value``. ``observed``/``expected`` are P_o and P_e. Everything that depends on κ is ``None`` when κ is
    undefined, with ``reason`` saying why (:data:`SINGLE_CATEGORY`). ``dropped`` counts the subjects left
    out because a rating was missing (Cohen)."""

    method: str
    kappa: float | None
    se: float | None
    se_null: float | None
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p_value: float | None
    n_subjects: int
    n_raters: int
    observed: float
    expected: float
    band: str
    confidence: float = 0.95
    reason: str | None = None
    dropped: int = 0


def landis_koch(kappa: float | None) -> str:
    """The Landis & Koch (1977, p. 165) band of ``kappa``: ``poor`` (< 0), ``slight`` (0–0.20), ``fair``
    (0.21–0.40), ``moderate`` (0.41–0.60), ``substantial`` (0.61–0.80), ``almost_perfect`` (0.81–1.00);
    ``undefined`` for ``None``. The published bounds are given to two decimals; here each band runs up to and
    including its upper bound on the unrounded value (0.20 is ``slight``, 0.2001 is ``fair``). A value that
    is not a number or lies outside [−1, 1] raises :class:`ValueError`."""
    if kappa is None:
        return UNDEFINED
    if math.isnan(kappa) or not -1 - _EPS <= kappa <= 1 + _EPS:
        raise ValueError(f"a kappa lies between -1 and 1, got {kappa!r}")
    if kappa < 0:
        return "poor"
    for upper, band in _UPPER:
        if kappa <= upper:
            return band
    return "almost_perfect"


def _z_quantile(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def _two_sided_p(z: float) -> float:
    """``P(|Z| ≥ |z|)`` for a standard normal Z, without the cancellation of ``1 − Φ(|z|)``."""
    return math.erfc(abs(z) / math.sqrt(2))


def _finish(
    *,
    method: str,
    kappa: Fraction,
    var: float,
    var_null: Fraction,
    confidence: float,
    n_subjects: int,
    n_raters: int,
    observed: Fraction,
    expected: Fraction,
    dropped: int = 0,
) -> KappaResult:
    k = float(kappa)
    se = math.sqrt(max(var, 0.0))
    se_null = math.sqrt(max(float(var_null), 0.0))
    half = _z_quantile(confidence) * se
    z = k / se_null if se_null > 0 else None
    return KappaResult(
        method=method,
        kappa=k,
        se=se,
        se_null=se_null,
        ci_low=max(-1.0, k - half),
        ci_high=min(1.0, k + half),
        z=z,
        p_value=_two_sided_p(z) if z is not None else None,
        n_subjects=n_subjects,
        n_raters=n_raters,
        observed=float(observed),
        expected=float(expected),
        band=landis_koch(k),
        confidence=confidence,
        dropped=dropped,
    )


def _undefined(
    *, method: str, confidence: float, n_subjects: int, n_raters: int, dropped: int = 0
) -> KappaResult:
    return KappaResult(
        method=method,
        kappa=None,
        se=None,
        se_null=None,
        ci_low=None,
        ci_high=None,
        z=None,
        p_value=None,
        n_subjects=n_subjects,
        n_raters=n_raters,
        observed=1.0,
        expected=1.0,
        band=UNDEFINED,
        confidence=confidence,
        reason=SINGLE_CATEGORY,
        dropped=dropped,
    )


def _check_table(table: Sequence[Sequence[int]]) -> tuple[list[list[int]], int]:
    """The rows of ``table`` as lists, and the number of raters; :class:`ValueError` when it is not a
    subjects × categories table of counts with the same total (≥ 2) on every row."""
    rows = [list(row) for row in table]
    if len(rows) < 2:
        raise ValueError(f"Fleiss' kappa needs at least 2 subjects (rows), got {len(rows)}")
    width = len(rows[0])
    if width == 0:
        raise ValueError("the table has no category (its rows are empty)")
    raters = -1
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"row {i} has {len(row)} categories, row 1 has {width}")
        for j, count in enumerate(row, start=1):
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"row {i}, column {j}: counts are non-negative integers, got {count!r}")
        total = sum(row)
        if raters < 0:
            raters = total
            if raters < 2:
                raise ValueError(f"each subject needs at least 2 raters, row 1 has {raters}")
        elif total != raters:
            raise ValueError(
                f"row {i} counts {total} ratings, row 1 counts {raters}: every subject must be rated "
                "by the same number of raters"
            )
    return rows, raters


def fleiss_kappa(table: Sequence[Sequence[int]], *, confidence: float = 0.95) -> KappaResult:
    """Fleiss' (1971) kappa of a subjects × categories table of counts (``table[i][j]`` raters put subject i
    in category j; every row sums to the same number of raters n ≥ 2; at least 2 subjects).

    ``se_null`` (for ``z`` and the p-value) is the variance under κ = 0 of Fleiss, Nee & Landis (1979);
    ``se`` (for the ``confidence`` interval) is Gwet's (2008) linearised variance; see the module docstring
    for the formulas. When every rating falls in one category, κ is undefined (``kappa=None``,
    ``reason="single_category"``). A malformed table raises :class:`ValueError` naming the row and column."""
    rows, n = _check_table(table)
    subjects = len(rows)
    width = len(rows[0])
    totals = [sum(row[j] for row in rows) for j in range(width)]
    if sum(1 for t in totals if t) == 1:
        _z_quantile(confidence)  # the same error for a bad confidence level either way
        return _undefined(method="fleiss", confidence=confidence, n_subjects=subjects, n_raters=n)
    all_ratings = subjects * n
    pairs = n * (n - 1)
    observed = Fraction(sum(c * c for row in rows for c in row) - all_ratings, subjects * pairs)
    expected = Fraction(sum(t * t for t in totals), all_ratings * all_ratings)
    kappa = (observed - expected) / (1 - expected)

    shares = [Fraction(t, all_ratings) for t in totals]
    pq = sum(pj * (1 - pj) for pj in shares)
    var_null = (
        Fraction(2, all_ratings * (n - 1))
        * (pq * pq - sum(pj * (1 - pj) * (1 - 2 * pj) for pj in shares))
        / (pq * pq)
    )
    p = [float(pj) for pj in shares]

    k, pe = float(kappa), float(expected)
    stars = []
    for row in rows:
        kappa_i = ((sum(c * c for c in row) - n) / pairs - pe) / (1 - pe)
        pe_i = sum(c * pj for c, pj in zip(row, p, strict=True)) / n
        stars.append(kappa_i - 2 * (1 - k) * (pe_i - pe) / (1 - pe))
    var = sum((s - k) ** 2 for s in stars) / (subjects * (subjects - 1))
    return _finish(
        method="fleiss",
        kappa=kappa,
        var=var,
        var_null=var_null,
        confidence=confidence,
        n_subjects=subjects,
        n_raters=n,
        observed=observed,
        expected=expected,
    )


def cohen_kappa(
    a: Sequence[str | None],
    b: Sequence[str | None],
    categories: Sequence[str] | None = None,
    *,
    confidence: float = 0.95,
) -> KappaResult:
    """Cohen's (1960) kappa of two raters, ``a[i]`` and ``b[i]`` the categories they gave subject i.

    Subjects where either rating is ``None`` are left out and counted in ``dropped``. ``categories`` (all the
    categories the raters could choose) is checked, not needed: a category nobody chose changes nothing.
    Standard errors are the asymptotic ones of Fleiss, Cohen & Everitt (1969): ``se`` for the ``confidence``
    interval, ``se_null`` (κ = 0) for ``z`` and the p-value; see the module docstring. When both raters
    always give the same single category, κ is undefined (``kappa=None``, ``reason="single_category"``).
    :class:`ValueError` when the lists differ in length, when fewer than 2 subjects have both ratings, or
    when a rating is not one of ``categories``."""
    if len(a) != len(b):
        raise ValueError(f"the two raters must rate the same subjects: {len(a)} ratings against {len(b)}")
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    dropped = len(a) - len(pairs)
    if len(pairs) < 2:
        raise ValueError(
            f"Cohen's kappa needs at least 2 subjects rated by both raters, got {len(pairs)}"
            + (f" ({dropped} left out for a missing rating)" if dropped else "")
        )
    if categories is not None:
        known = list(categories)
        if not known:
            raise ValueError("the list of categories is empty")
        if len(set(known)) != len(known):
            doubles = sorted({c for c in known if known.count(c) > 1})
            raise ValueError(f"categories given twice: {', '.join(doubles)}")
        allowed = set(known)
        for i, (x, y) in enumerate(zip(a, b, strict=True), start=1):
            for rater, value in (("first", x), ("second", y)):
                if value is not None and value not in allowed:
                    raise ValueError(
                        f"subject {i}: the {rater} rater's {value!r} is not one of the categories"
                    )
    labels = sorted({x for x, _ in pairs} | {y for _, y in pairs})
    if len(labels) == 1:
        _z_quantile(confidence)
        return _undefined(
            method="cohen", confidence=confidence, n_subjects=len(pairs), n_raters=2, dropped=dropped
        )
    index = {label: i for i, label in enumerate(labels)}
    size = len(labels)
    counts = [[0] * size for _ in range(size)]
    for x, y in pairs:
        counts[index[x]][index[y]] += 1
    n = len(pairs)
    rows = [sum(counts[i]) for i in range(size)]
    cols = [sum(counts[i][j] for i in range(size)) for j in range(size)]
    observed = Fraction(sum(counts[i][i] for i in range(size)), n)
    expected = Fraction(sum(r * c for r, c in zip(rows, cols, strict=True)), n * n)
    kappa = (observed - expected) / (1 - expected)

    k, pe = float(kappa), float(expected)
    p = [[c / n for c in row] for row in counts]
    pr = [r / n for r in rows]
    pc = [c / n for c in cols]
    diagonal = sum(p[i][i] * (1 - (pr[i] + pc[i]) * (1 - k)) ** 2 for i in range(size))
    off = (1 - k) ** 2 * sum(
        p[i][j] * (pc[i] + pr[j]) ** 2 for i in range(size) for j in range(size) if i != j
    )
    scale = n * (1 - pe) ** 2
    var = (diagonal + off - (k - pe * (1 - k)) ** 2) / scale
    # Exact, so that a null variance of zero (one rater always giving the same answer) is exactly zero.
    var_null = (
        expected
        + expected * expected
        - sum(Fraction(rows[i] * cols[i] * (rows[i] + cols[i]), n**3) for i in range(size))
    ) / (n * (1 - expected) ** 2)
    return _finish(
        method="cohen",
        kappa=kappa,
        var=var,
        var_null=var_null,
        confidence=confidence,
        n_subjects=n,
        n_raters=2,
        observed=observed,
        expected=expected,
        dropped=dropped,
    )
