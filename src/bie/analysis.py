"""The figures of an audit, each with its definition (see docs/methodologie.md).

Every function takes the audited actions (one row per action, with ``category``, ``_amount`` — the amount
on the chosen basis, in euros — and the canonical fields) and returns JSON-safe dictionaries. Money is
added in integer cents, so totals are exact; shares are fractions between 0 and 1.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

import polars as pl

from bie.i18n import fmt, fmt_in
from bie.resources import load_data

CATEGORIES = ("specific", "transversal", "not_integrated", "to_review")
EQUALITY = ("specific", "transversal")
AMOUNT = "_amount"
CENTS = "_cents"
STAGE_COLUMNS = {"requested": "amount_requested", "proposed": "amount_proposed", "granted": "amount_granted"}
DIMENSIONS = ("pillar", "theme", "funder", "territory", "carrier")
#: Rows shown per breakdown table (the rest are summed in one « autres » row).
TOP = 25


def cents(expr: pl.Expr) -> pl.Expr:
    """Euros (Float64, null = 0) to integer cents in Int128.

    Amounts are capped by the parser (at most 10^13 €, parse.AMOUNT_LIMIT), so each value is a float exact to
    the cent and its cents fit an Int64 exactly; sums are done in Int128, which no file can overflow (an
    Int64 sum of many capped amounts could wrap: 5·10^16 + 5·10^16 cents already does)."""
    return (expr.fill_null(0) * 100).round(0).cast(pl.Int64).cast(pl.Int128)


def with_cents(actions: pl.DataFrame) -> pl.DataFrame:
    return actions.with_columns(cents(pl.col(AMOUNT)).alias(CENTS))


def euros(cents: int | None) -> float:
    return round((cents or 0) / 100, 2)


def ratio(num: float | int | None, den: float | int | None) -> float | None:
    if not den or num is None:
        return None
    return round(num / den, 6)


def _by_category(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    counts = frame.group_by("category").agg(pl.len().alias("n"), pl.col(CENTS).sum().alias("c"))
    by = {r["category"]: r for r in counts.iter_rows(named=True)}
    total_n = frame.height
    total_c = int(frame.get_column(CENTS).sum() or 0)
    out = {}
    for cat in CATEGORIES:
        n = int(by.get(cat, {}).get("n") or 0)
        c = int(by.get(cat, {}).get("c") or 0)
        out[cat] = {
            "count": n,
            "amount": euros(c),
            "share": ratio(c, total_c) or 0.0,
            "share_count": ratio(n, total_n) or 0.0,
        }
    return out


def summary(
    actions: pl.DataFrame,
    basis: str,
    basis_name: str | None = None,
    categories: Mapping[str, tuple[int | None, float | None]] | None = None,
) -> dict[str, Any]:
    """Counts and amounts by category, and the EU-style weighted equality spend.

    ``categories``: category id -> (OECD-DAC marker, EU weight), from the rule pack (``rules/index.yaml``,
    ``categories``: the one place they are kept); the built-in pack's when not given. ``basis_name``: the
    co-funder shown when the basis is one funder's money (``--funder``)."""
    if categories is None:
        from bie.tagging import load_rules

        categories = {c.id: (c.dac_marker, c.eu_weight) for c in load_rules().categories}
    frame = with_cents(actions)
    total_c = int(frame.get_column(CENTS).sum() or 0)
    by_category = _by_category(frame)
    weights = {cat: float(w) for cat, (_m, w) in categories.items() if w is not None}
    weighted_c = 0
    for cat, entry in by_category.items():
        marker, weight = categories.get(cat, (None, None))
        cents = int(frame.filter(pl.col("category") == cat).get_column(CENTS).sum() or 0)
        entry["dac_marker"] = marker
        entry["eu_weight"] = weight
        entry["weighted_amount"] = None if weight is None else euros(round(cents * weight))
        if weight:
            weighted_c += round(cents * weight)
    return {
        "amount_basis": basis,
        "amount_basis_name": basis_name,
        "actions": frame.height,
        "actions_without_amount": actions.filter(pl.col(AMOUNT).is_null()).height,
        "amount_total": euros(total_c),
        "by_category": by_category,
        "equality_amount": euros(
            sum(
                int(frame.filter(pl.col("category") == c).get_column(CENTS).sum() or 0)
                for c, w in weights.items()
                if w > 0
            )
        ),
        "equality_share": ratio(
            sum(by_category[c]["amount"] for c, w in weights.items() if w > 0), euros(total_c)
        )
        or 0.0,
        "weighted_equality_spend": {
            "amount": euros(weighted_c),
            "share": ratio(weighted_c, total_c) or 0.0,
            "weights": weights,
        },
        "judged": judged(
            by_category["to_review"]["count"],
            frame.height,
            by_category["to_review"]["share"] if total_c else None,
        ),
    }


def judged(to_review: int, actions: int, amount_share: float | None = None) -> dict[str, Any]:
    """How much was judged: the shares of actions and of money « à examiner », and whether either is above
    the limit kept in ``method.yaml`` (``judged``), in which case key figures, category shares and the web
    carry a caveat (``caveat``: fr and en, ``None`` below the limit). A third of the actions holding two
    thirds of the money unread is as unfit for a conclusion as two thirds of the actions."""
    spec = load_data("method.yaml")["judged"]
    limit = float(spec["max_to_review_share"])
    share = ratio(to_review, actions)
    by_count = share is not None and share > limit + 1e-12
    by_amount = amount_share is not None and amount_share > limit + 1e-12
    caveat = None
    if by_count and share is not None:
        caveat = {
            "fr": fmt(spec["caveat"]["fr"], share=f"{share * 100:.0f}\u00a0%"),
            "en": fmt(spec["caveat"]["en"], share=f"{share * 100:.0f}%"),
        }
    elif by_amount and amount_share is not None and share is not None:
        caveat = {
            "fr": fmt(
                spec["caveat_amount"]["fr"],
                money=f"{amount_share * 100:.0f}\u00a0%",
                share=f"{share * 100:.0f}\u00a0%",
            ),
            "en": fmt(
                spec["caveat_amount"]["en"], money=f"{amount_share * 100:.0f}%", share=f"{share * 100:.0f}%"
            ),
        }
    return {
        "to_review": to_review,
        "actions": actions,
        "to_review_share": share,
        "to_review_amount_share": amount_share,
        "max_to_review_share": limit,
        "low": by_count or by_amount,
        "caveat": caveat,
    }


NOT_GIVEN = "(non renseigné)"
OTHERS = "(autres)"
WHOLE_CONTRACT = "(ensemble du contrat)"
#: Group keys that are not names from the file: the JSON gives them as ``key: null`` and ``special``, each
#: report writes them in its reader's words.
SPECIAL_KEYS = {NOT_GIVEN: "not_given", OTHERS: "others", WHOLE_CONTRACT: "whole_contract"}


def territory_keys(values: pl.Series) -> dict[str, list[str]]:
    """For each distinct territory cell: the groups its action counts in.

    QPV codes name a quartier: « QN07632M La Sablière / QN07634M Le Val-Fleuri » counts in both, under
    « QN07632M La Sablière » and « QN07634M Le Val-Fleuri », whatever the separator. « Tous QPV »,
    « Ensemble des QPV du contrat »… are one group; other cells are grouped by their text. Runs once per
    distinct cell (``bie/data/territories.yaml``)."""
    import re

    from bie.vocabulary import fold

    spec = load_data("territories.yaml")
    code_re = re.compile(spec["code_pattern"])
    whole = [re.compile(p) for p in spec["whole_contract"]]
    names: dict[str, str] = {}
    cells = [v for v in values.unique().to_list() if v is not None]
    split: dict[str, list[tuple[str, str]]] = {}
    for cell in cells:
        text = " ".join(str(cell).split())
        found = list(code_re.finditer(text))
        parts = []
        for i, m in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(text)
            name = text[m.end() : end].strip(" ;/,-–|+&").strip()
            parts.append((m.group(0), name))
            if name and (m.group(0) not in names or len(found) == 1):
                names[m.group(0)] = name
        split[str(cell)] = parts
    out: dict[str, list[str]] = {}
    for cell in cells:
        parts = split[str(cell)]
        if parts:
            codes = list(dict.fromkeys(code for code, _ in parts))
            out[str(cell)] = [f"{code} {names[code]}".strip() if code in names else code for code in codes]
            continue
        text = " ".join(str(cell).split())
        folded = " ".join(fold(text).replace("'", " ").replace("’", " ").split())
        out[str(cell)] = [WHOLE_CONTRACT] if any(p.search(folded) for p in whole) else [text or NOT_GIVEN]
    return out


def _group_territories(frame: pl.DataFrame, total_c: int) -> list[dict[str, Any]]:
    keys = territory_keys(frame.get_column("territory"))
    mapping = pl.DataFrame(
        {"territory": list(keys), "_keys": list(keys.values())},
        schema={"territory": pl.String, "_keys": pl.List(pl.String)},
    )
    exploded = (
        frame.join(mapping, on="territory", how="left", maintain_order="left")
        .with_columns(pl.col("_keys").fill_null(pl.lit([NOT_GIVEN], pl.List(pl.String))))
        .with_columns((pl.col("_keys").list.len() > 1).alias("_shared"))
        .explode("_keys")
    )
    return _group_rows(exploded, pl.col("_keys"), total_c)


def _group_rows(frame: pl.DataFrame, key: pl.Expr, total_c: int) -> list[dict[str, Any]]:
    shared = pl.col("_shared").sum() if "_shared" in frame.columns else pl.lit(0)
    grouped = (
        frame.with_columns(key.alias("_key"))
        .group_by("_key", "category")
        .agg(pl.len().alias("n"), pl.col(CENTS).sum().alias("c"), shared.alias("s"))
    )
    rows: dict[str, dict[str, Any]] = {}
    for r in grouped.iter_rows(named=True):
        name = r["_key"]
        entry = rows.setdefault(
            name,
            {
                "key": name,
                "count": 0,
                "cents": 0,
                "shared": 0,
                "by_category": {c: {"count": 0, "amount": 0.0} for c in CATEGORIES},
            },
        )
        entry["shared"] += int(r["s"] or 0)
        entry["count"] += r["n"]
        entry["cents"] += r["c"] or 0
        entry["by_category"][r["category"]] = {"count": r["n"], "amount": euros(r["c"])}
    ordered = sorted(rows.values(), key=lambda e: (-e["cents"], str(e["key"])))
    if len(ordered) > TOP:
        rest = ordered[TOP - 1 :]
        other = {
            "key": OTHERS,
            "count": sum(e["count"] for e in rest),
            "cents": sum(e["cents"] for e in rest),
            "shared": sum(e["shared"] for e in rest),
            "by_category": {
                c: {
                    "count": sum(e["by_category"][c]["count"] for e in rest),
                    "amount": round(sum(e["by_category"][c]["amount"] for e in rest), 2),
                }
                for c in CATEGORIES
            },
            "others": len(rest),
        }
        ordered = [*ordered[: TOP - 1], other]
    out = []
    for e in ordered:
        equality = sum(e["by_category"][c]["amount"] for c in EQUALITY)
        amount = euros(e["cents"])
        special = SPECIAL_KEYS.get(str(e["key"]))
        out.append(
            {
                "key": None if special else e["key"],
                **({"special": special} if special else {}),
                **({"shared": e["shared"]} if e["shared"] else {}),
                "count": e["count"],
                "amount": amount,
                "share": ratio(e["cents"], total_c) or 0.0,
                "equality_share": ratio(equality, amount),
                "by_category": e["by_category"],
                **({"others": e["others"]} if "others" in e else {}),
            }
        )
    return out


def breakdowns(actions: pl.DataFrame, funding_columns: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Counts and amounts by category for each pillar, theme, territory and carrier; and for each co-funder,
    the money of its own column (not the basis) by category."""
    frame = with_cents(actions)
    total_c = int(frame.get_column(CENTS).sum() or 0)
    out: dict[str, list[dict[str, Any]]] = {}
    for dim in ("pillar", "theme", "territory", "carrier"):
        if dim in frame.columns and frame.get_column(dim).null_count() < frame.height:
            if dim == "territory":
                out[dim] = _group_territories(frame, total_c)
                continue
            key = pl.col(dim).str.replace_all(r"\s+", " ").str.strip_chars().fill_null(NOT_GIVEN)
            out[dim] = _group_rows(frame, key, total_c)
    funders = []
    all_funders_c = 0
    per: list[tuple[str, dict[str, tuple[int, int]]]] = []
    for name, column in funding_columns.items():
        if column not in frame.columns:
            continue
        agg = frame.group_by("category").agg(
            (pl.col(column).fill_null(0) > 0).sum().alias("n"), cents(pl.col(column)).sum().alias("c")
        )
        cats = {r["category"]: (int(r["n"]), int(r["c"] or 0)) for r in agg.iter_rows(named=True)}
        all_funders_c += sum(c for _, c in cats.values())
        per.append((name, cats))
    for name, cats in per:
        c_total = sum(c for _, c in cats.values())
        equality = sum(cats.get(c, (0, 0))[1] for c in EQUALITY)
        funders.append(
            {
                "key": name,
                "count": sum(n for n, _ in cats.values()),
                "amount": euros(c_total),
                "share": ratio(c_total, all_funders_c) or 0.0,
                "equality_share": ratio(equality, c_total),
                "by_category": {
                    c: {"count": cats.get(c, (0, 0))[0], "amount": euros(cats.get(c, (0, 0))[1])}
                    for c in CATEGORIES
                },
            }
        )
    if funders:
        out["funder"] = funders
    return out


def stages(actions: pl.DataFrame) -> dict[str, Any] | None:
    """Requested → proposed → granted by category, when at least two stages are present: did instruction
    favour or penalise equality actions? The rate kept is the last stage over the first, on the actions that
    have both."""
    present = [
        s
        for s, c in STAGE_COLUMNS.items()
        if c in actions.columns and actions.get_column(c).null_count() < actions.height
    ]
    if len(present) < 2:
        return None
    first, last = STAGE_COLUMNS[present[0]], STAGE_COLUMNS[present[-1]]
    rows = []
    kept: dict[str, float | None] = {}
    for cat in CATEGORIES:
        sub = actions.filter(pl.col("category") == cat)
        entry: dict[str, Any] = {"category": cat, "count": sub.height}
        for stage in present:
            col = STAGE_COLUMNS[stage]
            entry[stage] = euros(int(sub.select(cents(pl.col(col)).sum()).item() or 0))
        both = sub.filter(pl.col(first).is_not_null() & pl.col(last).is_not_null())
        start = float(both.get_column(first).sum() or 0)
        end = float(both.get_column(last).sum() or 0)
        entry["rate_kept"] = ratio(end, start)
        kept[cat] = entry["rate_kept"]
        rows.append(entry)
    eq = actions.filter(
        pl.col("category").is_in(list(EQUALITY)) & pl.col(first).is_not_null() & pl.col(last).is_not_null()
    )
    other = actions.filter(
        pl.col("category").is_in(["not_integrated"])
        & pl.col(first).is_not_null()
        & pl.col(last).is_not_null()
    )
    eq_rate = ratio(float(eq.get_column(last).sum()), float(eq.get_column(first).sum()))
    other_rate = ratio(float(other.get_column(last).sum()), float(other.get_column(first).sum()))
    gap = None if eq_rate is None or other_rate is None else round(eq_rate - other_rate, 6)
    return {
        "stages": present,
        "by_category": rows,
        "equality_rate_kept": eq_rate,
        "not_integrated_rate_kept": other_rate,
        "equality_gap": gap,
    }


def beneficiaries(actions: pl.DataFrame) -> dict[str, Any] | None:
    """Who is reached, by sex: context, never a target. Only explicit women and men counts are used (men are
    never derived from a total)."""
    if "women" not in actions.columns and "men" not in actions.columns:
        return {"available": False}
    frame = with_cents(actions)
    w = pl.col("women") if "women" in frame.columns else pl.lit(None, pl.Int64)
    m = pl.col("men") if "men" in frame.columns else pl.lit(None, pl.Int64)
    frame = frame.with_columns(w.cast(pl.Int128).alias("_w"), m.cast(pl.Int128).alias("_m"))  # no wrap
    counted = frame.filter(
        pl.col("_w").is_not_null() & pl.col("_m").is_not_null() & ((pl.col("_w") + pl.col("_m")) > 0)
    )
    total_c = int(frame.get_column(CENTS).sum() or 0)
    women = int(counted.get_column("_w").sum() or 0)
    men = int(counted.get_column("_m").sum() or 0)
    # Euros per woman and per man reached: each action's money shared pro rata of its women and men (an
    # estimate: it assumes the money serves each beneficiary equally).
    alloc = counted.with_columns(
        (pl.col(CENTS) * pl.col("_w") / (pl.col("_w") + pl.col("_m"))).alias("_cw"),
        (pl.col(CENTS) * pl.col("_m") / (pl.col("_w") + pl.col("_m"))).alias("_cm"),
    )
    cw = float(alloc.get_column("_cw").sum() or 0)
    cm = float(alloc.get_column("_cm").sum() or 0)

    def by(dim: str) -> list[dict[str, Any]]:
        if dim not in counted.columns:
            return []
        g = (
            counted.with_columns(pl.col(dim).fill_null(NOT_GIVEN).alias("_k"))
            .group_by("_k")
            .agg(pl.len().alias("n"), pl.col("_w").sum().alias("w"), pl.col("_m").sum().alias("m"))
            .sort(["n", "_k"], descending=[True, False])
        )
        return [
            {
                # a name from the file, or null with ``special`` for the rows bie makes (as in breakdowns)
                "key": None if r["_k"] == NOT_GIVEN else r["_k"],
                **({"special": "not_given"} if r["_k"] == NOT_GIVEN else {}),
                "actions": r["n"],
                "women": int(r["w"]),
                "men": int(r["m"]),
                "women_share": ratio(r["w"], r["w"] + r["m"]),
            }
            for r in g.head(TOP).iter_rows(named=True)
        ]

    sport = (
        counted.filter(
            pl.concat_str(
                [pl.col(c).fill_null("") for c in ("theme", "title") if c in counted.columns], separator=" "
            )
            .str.to_lowercase()
            .str.contains(r"\bsport|football|basket|judo|boxe|natation|danse|fitness|athl")
        )
        if any(c in counted.columns for c in ("theme", "title"))
        else counted.clear()
    )
    sw, sm = int(sport.get_column("_w").sum() or 0), int(sport.get_column("_m").sum() or 0)
    return {
        "available": True,
        "coverage": {
            "actions_with_counts": counted.height,
            "share_actions": ratio(counted.height, frame.height) or 0.0,
            "amount_with_counts": euros(int(counted.get_column(CENTS).sum() or 0)),
            "share_amount": ratio(int(counted.get_column(CENTS).sum() or 0), total_c) or 0.0,
        },
        "women": women,
        "men": men,
        "women_share": ratio(women, women + men),
        "euros_per_woman": round(cw / 100 / women, 2) if women else None,
        "euros_per_man": round(cm / 100 / men, 2) if men else None,
        "by_pillar": by("pillar"),
        "by_theme": by("theme"),
        "sport": {"actions": sport.height, "women": sw, "men": sm, "women_share": ratio(sw, sw + sm)},
    }


def reconciliation(files: list[dict[str, Any]]) -> dict[str, Any]:
    return {"files": files, "balanced": all(f["balanced"] for f in files)}


_OPS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


def _holds(metrics: Mapping[str, float | int | None], cond: Mapping[str, Any]) -> bool:
    value = metrics.get(cond["metric"])
    return value is not None and bool(_OPS[cond["op"]](value, cond["threshold"]))


def findings(metrics: Mapping[str, float | int | None], lang: str, actions: int) -> list[dict[str, Any]]:
    """Plain-language observations from the thresholds in ``bie/data/findings.yaml``."""
    spec = load_data("findings.yaml")
    out = []
    for f in spec["findings"]:
        value = metrics.get(f["metric"])
        if value is None or actions < int(f.get("min_actions", 1)):
            continue
        if not _OPS[f["op"]](value, f["threshold"]):
            continue
        if any(_holds(metrics, cond) for cond in f.get("unless", [])):
            continue
        if f.get("format") == "percent":
            shown = f"{abs(value) * 100:.0f}\u00a0%" if lang == "fr" else f"{abs(value) * 100:.0f}%"
        else:
            shown = f"{value:g}" if isinstance(value, float) else str(value)
        out.append(
            {
                "id": f["id"],
                "severity": f.get("severity", "info"),
                "metric": f["metric"],
                "value": value,
                "text": fmt_in(lang, f[lang], value=shown, count=value),
                "refs": list(f.get("refs", [])),
            }
        )
    return out
