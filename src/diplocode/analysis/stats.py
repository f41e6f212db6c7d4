"""Comparison statistics: pure functions from a codings frame to tables.

The input is a *codings frame*, one row per (coding, actor) with at least the columns
``source_id``, ``unit`` (the coded segment: any hashable, e.g. ``(source_id, start, end)``),
``code``, ``dimension``, and the grouping columns used (``actor``, ``year``, ``group``). A
coding of a source with several actors counts once for each of them; within one actor, the
same code on the same unit counts once.

Every function returns a pandas DataFrame and never reads the store: the same frame gives
the same table on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

__all__ = [
    "bootstrap_share_ci",
    "cooccurrence",
    "crosstab",
    "jensen_shannon",
    "log_odds",
    "overlap_zones",
    "trends",
    "triangulation",
]


def _units(frame: pd.DataFrame, by: str, unit: str) -> pd.DataFrame:
    """Distinct (by, code, counted unit) rows: a segment or a whole document."""
    key = "unit" if unit == "segment" else "source_id"
    if unit not in ("segment", "document"):
        raise ValueError(f"unit must be 'segment' or 'document', got {unit!r}")
    return frame[[by, "dimension", "code", key, "source_id"]].drop_duplicates([by, "code", key])


def crosstab(frame: pd.DataFrame, by: str = "actor", unit: str = "segment") -> pd.DataFrame:
    """Counts and shares of each code per group.

    Columns: ``count`` (coded units), ``share`` (of the group's coded units in that code's
    dimension; shares of one group and dimension sum to 1), ``documents`` (documents of the
    group with the code) and ``doc_share`` (of the group's coded documents).

    >>> f = pd.DataFrame({"actor": ["A", "A", "A", "B"], "source_id": [1, 1, 2, 3],
    ...     "unit": [1, 2, 3, 4], "code": ["x", "y", "x", "y"], "dimension": ["d"] * 4})
    >>> crosstab(f).loc[("A", "x"), ["count", "share", "doc_share"]].tolist()
    [2.0, 0.6666666666666666, 1.0]
    """
    counted = _units(frame, by, unit)
    counts = counted.groupby([by, "dimension", "code"]).size().rename("count")
    dim_totals = counts.groupby(level=[0, 1]).transform("sum")
    docs = (
        frame.drop_duplicates([by, "code", "source_id"])
        .groupby([by, "code"])
        .size()
        .rename("documents")
    )
    n_docs = frame.drop_duplicates([by, "source_id"]).groupby(by).size().rename("n_documents")
    table = pd.DataFrame({"count": counts, "share": counts / dim_totals}).reset_index()
    table = table.merge(docs.reset_index(), on=[by, "code"], how="left").merge(
        n_docs.reset_index(), on=by, how="left"
    )
    table["doc_share"] = table["documents"] / table["n_documents"]
    table["count"] = table["count"].astype(float)
    return table.set_index([by, "code"]).sort_index()


def bootstrap_share_ci(
    frame: pd.DataFrame,
    by: str = "actor",
    unit: str = "segment",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Percentile bootstrap CIs of :func:`crosstab` shares, resampling *documents* within
    each group (codings in one document are not independent).

    Each replicate draws the group's documents with replacement; a share is then the
    replicate's count of the code over its count of the code's dimension (replicates with
    no coding of that dimension are left out). Columns
    ``share`` (the point estimate), ``ci_low``, ``ci_high``.
    """
    rng = np.random.default_rng(seed)
    point = crosstab(frame, by, unit)["share"]
    counted = _units(frame, by, unit)
    alpha = (1 - level) / 2
    rows = []
    for group, part in counted.groupby(by):
        per_doc = part.groupby(["source_id", "code"]).size().unstack(fill_value=0)  # docs x codes
        dims = part.drop_duplicates("code").set_index("code")["dimension"].reindex(per_doc.columns)
        per_doc_dim = per_doc.T.groupby(dims).sum().T  # docs x dimensions
        weights = rng.multinomial(
            len(per_doc), np.full(len(per_doc), 1 / len(per_doc)), size=n_boot
        )  # boots x docs
        code_counts = weights @ per_doc.to_numpy(dtype=float)  # boots x codes
        dim_counts = weights @ per_doc_dim.to_numpy(dtype=float)  # boots x dims
        dim_index = {d: i for i, d in enumerate(per_doc_dim.columns)}
        for j, code in enumerate(per_doc.columns):
            denom = dim_counts[:, dim_index[dims[code]]]
            # a replicate without any coding of this dimension says nothing about the share
            shares = np.divide(
                code_counts[:, j], denom, out=np.full(n_boot, np.nan), where=denom > 0
            )
            rows.append(
                {
                    by: group,
                    "code": code,
                    "share": float(point[(group, code)]),
                    "ci_low": float(np.nanquantile(shares, alpha)),
                    "ci_high": float(np.nanquantile(shares, 1 - alpha)),
                }
            )
    return pd.DataFrame(rows).set_index([by, "code"]).sort_index()


def log_odds(
    frame: pd.DataFrame, by: str = "actor", unit: str = "segment", prior_scale: float | None = None
) -> pd.DataFrame:
    """Weighted log-odds ratios with an informative Dirichlet prior, each group against all
    others (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16-22).

    The prior is the pooled code distribution scaled to ``prior_scale`` pseudo-counts
    (default: the total count, i.e. as informative as the data). Columns ``delta`` (log-odds
    difference), ``variance`` and ``z`` (``delta / sqrt(variance)``; |z| > 1.96 is
    distinctive at the 5% level).
    """
    counted = _units(frame, by, unit)
    matrix = counted.groupby([by, "code"]).size().unstack(fill_value=0).astype(float)
    total = matrix.to_numpy().sum()
    alpha_w = matrix.sum(axis=0) / total * (prior_scale if prior_scale is not None else total)
    alpha_0 = alpha_w.sum()
    rows = []
    for group in matrix.index:
        y_i = matrix.loc[group]
        y_j = matrix.drop(index=group).sum(axis=0)
        n_i, n_j = y_i.sum(), y_j.sum()
        odds_i = np.log((y_i + alpha_w) / (n_i + alpha_0 - y_i - alpha_w))
        odds_j = np.log((y_j + alpha_w) / (n_j + alpha_0 - y_j - alpha_w))
        delta = odds_i - odds_j
        variance = 1.0 / (y_i + alpha_w) + 1.0 / (y_j + alpha_w)
        for code in matrix.columns:
            rows.append(
                {
                    by: group,
                    "code": code,
                    "count": y_i[code],
                    "delta": delta[code],
                    "variance": variance[code],
                    "z": delta[code] / np.sqrt(variance[code]),
                }
            )
    return pd.DataFrame(rows).set_index([by, "code"]).sort_index()


def overlap_zones(
    table: pd.DataFrame, by: str = "actor", min_share: float | None = None
) -> pd.DataFrame:
    """Codes salient for two or more groups: the article's "zones of overlap".

    A code is *salient* for a group when its share (from :func:`crosstab`) is at least
    ``min_share``; by default, at least the uniform share of its dimension (1 / number of
    codes of the dimension seen in the table), i.e. the group uses it more than an even
    spread would. Returns one row per overlapping code: ``groups`` (sorted), ``n_groups``,
    ``min_share`` among them, and the measure used.
    """
    frame = table.reset_index()
    per_dim = frame.groupby("dimension")["code"].nunique()
    threshold = (
        frame["dimension"].map(lambda d: 1.0 / per_dim[d])
        if min_share is None
        else pd.Series(min_share, index=frame.index)
    )
    salient = frame[frame["share"] >= threshold]
    rows = []
    for (dim, code), part in salient.groupby(["dimension", "code"]):
        if part[by].nunique() >= 2:
            rows.append(
                {
                    "dimension": dim,
                    "code": code,
                    "groups": sorted(part[by].astype(str)),
                    "n_groups": int(part[by].nunique()),
                    "min_share": float(part["share"].min()),
                    "measure": "share >= 1/k of its dimension"
                    if min_share is None
                    else f"share >= {min_share}",
                }
            )
    columns = ["dimension", "code", "groups", "n_groups", "min_share", "measure"]
    return pd.DataFrame(rows, columns=columns).sort_values(
        ["n_groups", "min_share"], ascending=False, ignore_index=True
    )


def trends(
    frame: pd.DataFrame,
    start: int = 2013,
    end: int = 2025,
    by: str | None = "actor",
    unit: str = "segment",
) -> pd.DataFrame:
    """Counts and shares per year (and group) over ``start..end``, every year present (zeros
    where nothing was coded)."""
    part = frame[(frame["year"] >= start) & (frame["year"] <= end)]
    keys = ["year"] + ([by] if by else [])
    key = "unit" if unit == "segment" else "source_id"
    counted = part.drop_duplicates([*keys, "code", key])
    counts = counted.groupby([*keys, "dimension", "code"]).size().rename("count")
    totals = counts.groupby(level=[*range(len(keys)), len(keys)]).transform("sum")
    table = pd.DataFrame({"count": counts, "share": counts / totals}).reset_index()
    years = pd.DataFrame({"year": range(start, end + 1)})
    combos = table[
        [c for c in table.columns if c not in ("year", "count", "share")]
    ].drop_duplicates()
    full = years.merge(combos, how="cross").merge(
        table, how="left", on=[*keys, "dimension", "code"]
    )
    full[["count", "share"]] = full[["count", "share"]].fillna(0.0)
    return full.sort_values([*keys, "dimension", "code"], ignore_index=True)


def jensen_shannon(p: Sequence[float], q: Sequence[float]) -> float:
    """Jensen-Shannon divergence (base 2, in [0, 1]) of two distributions (normalised here).

    >>> jensen_shannon([1, 0], [0, 1])
    1.0
    >>> jensen_shannon([1, 1], [2, 2])
    0.0
    """
    p_arr = np.asarray(p, dtype=float)
    q_arr = np.asarray(q, dtype=float)
    p_arr, q_arr = p_arr / p_arr.sum(), q_arr / q_arr.sum()
    m = (p_arr + q_arr) / 2

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / b[mask])))

    return round(0.5 * kl(p_arr, m) + 0.5 * kl(q_arr, m), 12)


def triangulation(
    frame: pd.DataFrame, by: str = "actor", unit: str = "segment", top: int = 3
) -> pd.DataFrame:
    """Per group, how source groups (official, academic, analytical, ...) differ: the
    Jensen-Shannon divergence between their code distributions, and the codes that drive
    it (largest absolute share differences)."""
    key = "unit" if unit == "segment" else "source_id"
    counted = frame.drop_duplicates([by, "group", "code", key])
    rows = []
    for actor, part in counted.groupby(by):
        dist = part.groupby(["group", "code"]).size().unstack(fill_value=0).astype(float)
        for a, b in combinations(sorted(dist.index), 2):
            p, q = dist.loc[a], dist.loc[b]
            diff = (p / p.sum() - q / q.sum()).sort_values(key=np.abs, ascending=False)
            rows.append(
                {
                    by: actor,
                    "groups": f"{a} vs {b}",
                    "jsd": jensen_shannon(p.to_numpy(), q.to_numpy()),
                    "n": (int(p.sum()), int(q.sum())),
                    "drivers": [(code, round(float(d), 4)) for code, d in diff.head(top).items()],
                }
            )
    return pd.DataFrame(rows, columns=[by, "groups", "jsd", "n", "drivers"])


def cooccurrence(frame: pd.DataFrame) -> pd.DataFrame:
    """Pairs of codes on the same segment: ``count`` of segments with both, and Jaccard
    (both / either)."""
    units = frame.drop_duplicates(["unit", "code"])
    per_code = units.groupby("code")["unit"].apply(set)
    rows = []
    for a, b in combinations(sorted(per_code.index), 2):
        both = len(per_code[a] & per_code[b])
        if both:
            either = len(per_code[a] | per_code[b])
            rows.append({"code_a": a, "code_b": b, "count": both, "jaccard": both / either})
    return pd.DataFrame(rows, columns=["code_a", "code_b", "count", "jaccard"]).sort_values(
        ["count", "jaccard"], ascending=False, ignore_index=True
    )
