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

import math
import warnings
from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

__all__ = [
    "TREND_NORMALISATIONS",
    "benjamini_hochberg",
    "bootstrap_share_ci",
    "bootstrap_shares",
    "cooccurrence",
    "crosstab",
    "jensen_shannon",
    "log_odds",
    "overlap_zones",
    "trends",
    "triangulation",
]


def _encode(values: pd.Series, sort: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing) and the values they stand for. Categoricals and
    dense non-negative integers (the frame's ``unit`` and ``source_id``) cost nothing;
    other columns are factorised (sorted, so tables come out in value order)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int64), np.asarray(values.cat.categories)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu" and len(values):
        array = values.to_numpy(dtype=np.int64)
        low, high = int(array.min()), int(array.max())
        if low >= 0 and high < 4 * len(array) + 1024:
            return array, np.arange(high + 1)
    codes, uniques = pd.factorize(values, sort=sort)
    return codes.astype(np.int64), np.asarray(uniques)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (numpy's hash-based unique is slower on large int arrays)."""
    values = np.sort(values)
    if len(values) == 0:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _unit_column(unit: str) -> str:
    if unit not in ("segment", "document"):
        raise ValueError(f"unit must be 'segment' or 'document', got {unit!r}")
    return "unit" if unit == "segment" else "source_id"


def _combine(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> tuple[np.ndarray, int]:
    """One int64 key per row for several code columns (mixed radix), compacted by
    re-factorising whenever the radix product would get large."""
    key = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    size = 1
    for c, n in zip(codes, sizes, strict=True):
        if size * max(n, 1) > 2**52:
            inverse, uniques = pd.factorize(key)
            key, size = inverse.astype(np.int64), len(uniques)
        key = key * max(n, 1) + c
        size *= max(n, 1)
    return key, size


def _count(
    frame: pd.DataFrame,
    keys: Sequence[str],
    distinct: str | None = None,
    mask: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rows per combination of ``keys`` (or distinct ``distinct`` values per combination),
    as a small frame with the key columns and ``count``, in key order. Rows missing a key
    are left out. Vectorised over integer codes: the cost is a few passes over the frame
    whatever its dtypes."""
    encoded = [_encode(frame[k]) for k in keys]
    codes = [c for c, _ in encoded]
    sizes = [len(u) for _, u in encoded]
    valid = np.ones(len(frame), dtype=bool) if mask is None else np.array(mask, dtype=bool)
    for c in codes:
        valid &= c >= 0
    key, size = _combine([c[valid] for c in codes], sizes)
    if distinct is not None and len(key):
        d_codes, d_uniques = _encode(frame[distinct], sort=False)
        n_distinct = max(len(d_uniques), 1)
        if size * n_distinct <= 2**26:
            # a bitmap of the (key, value) pairs seen: cheaper than hashing
            seen = np.zeros(size * n_distinct, dtype=bool)
            seen[key * n_distinct + d_codes[valid]] = True
            key = np.flatnonzero(seen) // n_distinct
        else:
            pair, _ = _combine([key, d_codes[valid]], [size, n_distinct])
            key = key[~pd.Series(pair).duplicated().to_numpy()]
    if size <= 4 * len(key) + 1024:
        counts = np.bincount(key, minlength=size)
        present = np.flatnonzero(counts)
        counts = counts[present]
    else:
        key = np.sort(key)
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        present, counts = key[starts], np.diff(np.r_[starts, len(key)])
    columns: dict[str, object] = {}
    rest = present
    for name, (_, uniques), n in reversed(list(zip(keys, encoded, sizes, strict=True))):
        rest, index = np.divmod(rest, max(n, 1))
        columns[name] = pd.Index(uniques)[index] if len(uniques) else []
    out = pd.DataFrame({k: columns[k] for k in keys})
    out["count"] = counts.astype(np.int64)
    return out


def _share_within(table: pd.DataFrame, keys: list[str]) -> pd.Series:
    return table["count"] / table.groupby(keys, sort=False)["count"].transform("sum")


def crosstab(frame: pd.DataFrame, by: str = "actor", unit: str = "segment") -> pd.DataFrame:
    """Counts and shares of each code per group.

    Columns: ``count`` (coded units, int64), ``share`` (of the group's coded units in that code's
    dimension; shares of one group and dimension sum to 1), ``documents`` (documents of the
    group with the code) and ``doc_share`` (of the group's coded documents).

    >>> f = pd.DataFrame({"actor": ["A", "A", "A", "B"], "source_id": [1, 1, 2, 3],
    ...     "unit": [1, 2, 3, 4], "code": ["x", "y", "x", "y"], "dimension": ["d"] * 4})
    >>> crosstab(f).loc[("A", "x"), ["count", "share", "doc_share"]].tolist()
    [2.0, 0.6666666666666666, 1.0]
    >>> str(crosstab(f)["count"].dtype)
    'int64'
    """
    key = _unit_column(unit)
    table = _count(frame, [by, "dimension", "code"], distinct=key)
    table["share"] = _share_within(table, [by, "dimension"])
    docs = _count(frame, [by, "code"], distinct="source_id").rename(columns={"count": "documents"})
    n_docs = _count(frame, [by], distinct="source_id").rename(columns={"count": "n_documents"})
    table = table.merge(docs, on=[by, "code"], how="left").merge(n_docs, on=by, how="left")
    table["doc_share"] = table["documents"] / table["n_documents"]
    columns = ["dimension", "count", "share", "documents", "n_documents", "doc_share"]
    return table.set_index([by, "code"])[columns].sort_index()


def bootstrap_share_ci(
    frame: pd.DataFrame,
    by: str = "actor",
    unit: str = "segment",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Percentile bootstrap CIs of :func:`crosstab` shares (a code's share of its group's
    coded units in its dimension), resampling *documents* (codings in one document are not
    independent). See :func:`bootstrap_shares` for the design. Columns ``share`` (the
    point estimate), ``ci_low``, ``ci_high``; index (group, code).
    """
    dims = _code_dimensions(frame)
    table = bootstrap_shares(
        frame, {"dimension": dims}, by=by, unit=unit, n_boot=n_boot, level=level, seed=seed
    )["dimension"]
    columns = [by, "code", "share", "ci_low", "ci_high"]
    if table.empty:
        return pd.DataFrame(columns=columns).set_index([by, "code"])
    return table.reset_index()[columns].set_index([by, "code"]).sort_index()


def _replicate_counts(
    rng: np.random.Generator,
    jobs: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]],
    counts: list[np.ndarray],
    n_docs: int,
    n_boot: int,
) -> None:
    """Each replicate's code counts per group: a replicate is a vector of how often each
    document was drawn, times each group's documents x codes count matrix."""
    # replicates in blocks of about a hundred, stored documents x replicates: a group then
    # gathers whole rows (its documents' weights in every replicate of the block), which
    # is twice as fast as gathering columns of thin blocks; memory stays under ~20 MB
    block = max(1, min(n_boot, 100, 5_000_000 // max(n_docs, 1)))
    for b0 in range(0, n_boot, block):
        b1 = min(n_boot, b0 + block)
        # 32-bit draws are twice as fast to make; a block's offsets stay below 2**32
        draws = rng.integers(0, n_docs, size=(b1 - b0, n_docs), dtype=np.uint32)
        draws += (np.arange(b1 - b0, dtype=np.uint32) * np.uint32(n_docs))[:, None]
        drawn = np.bincount(draws.ravel(), minlength=(b1 - b0) * n_docs)
        by_doc = np.ascontiguousarray(drawn.reshape(b1 - b0, n_docs).T, dtype=np.float32)
        for (_, docs, _, per_doc), out in zip(jobs, counts, strict=True):
            out[b0:b1] = (per_doc.T @ by_doc[docs]).T


def _code_dimensions(frame: pd.DataFrame) -> dict[str, list[str]]:
    if frame.empty:
        return {}
    pairs = frame[["code", "dimension"]].drop_duplicates()
    out: dict[str, list[str]] = {}
    for code, dim in zip(pairs["code"].astype(str), pairs["dimension"].astype(str), strict=True):
        out.setdefault(code, []).append(dim)
    return out


def bootstrap_shares(
    frame: pd.DataFrame,
    mappings: dict[str, dict[str, list[str]]],
    by: str = "actor",
    unit: str = "segment",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """Percentile bootstrap CIs of code shares under several definitions of "within", from
    one set of replicates.

    Each mapping sends a code to the denominators it is a share of (``{"dimension":
    {code: [its dimension]}}`` gives :func:`crosstab`'s shares; the models table maps each
    code to its columns). A share is the group's coded units with the code over its coded
    units with any code of the same denominator.

    The design is the classical nonparametric bootstrap of the corpus: each replicate
    draws as many documents as the frame has, with replacement, from all of them; a
    drawn document brings all its codings, for every group it counts for, so groups that
    share documents (an article about China and Russia) are resampled together. Replicates
    in which a group has no coding of a denominator say nothing about its shares and are
    left out. Draws for ``seed`` depend only on the documents of the frame (sorted ids).

    Returns, per mapping, a frame indexed by (group, denominator, code) with ``share``,
    ``ci_low`` and ``ci_high``.
    """
    key = _unit_column(unit)
    columns = [by, "dimension", "code", "share", "ci_low", "ci_high"]
    empty = {
        name: pd.DataFrame(columns=columns).set_index([by, "dimension", "code"])
        for name in mappings
    }
    if frame.empty:
        return empty
    g_codes, g_uniques = _encode(frame[by])
    c_codes, c_uniques = _encode(frame["code"])
    u_codes, u_uniques = _encode(frame[key], sort=False)
    s_codes, s_uniques = _encode(frame["source_id"])  # sorted: draws follow document ids
    valid = (g_codes >= 0) & (c_codes >= 0) & (u_codes >= 0) & (s_codes >= 0)
    combined, _ = _combine(
        [g_codes, c_codes, u_codes], [len(g_uniques), len(c_uniques), len(u_uniques)]
    )
    keep = valid & ~pd.Series(combined).duplicated().to_numpy()
    g_codes, c_codes, s_codes = g_codes[keep], c_codes[keep], s_codes[keep]
    n_docs = len(s_uniques)
    # one sort of (group, document, code) keys: each group is then a contiguous run whose
    # documents and codes come from run boundaries, not from a search per group
    n_codes = max(len(c_uniques), 1)
    sorted_keys = np.sort((g_codes * n_docs + s_codes) * n_codes + c_codes)
    g_of, rest = np.divmod(sorted_keys, n_docs * n_codes)
    s_of, c_of = np.divmod(rest, n_codes)
    bounds = np.flatnonzero(np.r_[True, g_of[1:] != g_of[:-1], True])
    jobs = []
    col_of = np.full(n_codes, -1, dtype=np.int64)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        s_run, c_run = s_of[lo:hi], c_of[lo:hi]
        new_doc = np.r_[True, s_run[1:] != s_run[:-1]]
        docs = s_run[new_doc]  # the documents the group counts in
        local = np.cumsum(new_doc) - 1
        used = np.flatnonzero(np.bincount(c_run, minlength=n_codes))  # the codes it uses
        col_of[used] = np.arange(len(used))
        tally = np.bincount(local * len(used) + col_of[c_run], minlength=len(docs) * len(used))
        # float32 is exact for counts below 2**24 and halves the products' cost
        jobs.append(
            (int(g_of[lo]), docs, used, tally.reshape(len(docs), len(used)).astype(np.float32))
        )
    counts = [np.empty((n_boot, len(used))) for _, _, used, _ in jobs]
    rng = np.random.default_rng(seed)
    # one BLAS thread: the products are small and many, and a server answers several
    # comparisons at once (more threads only contend for the two cores)
    with threadpool_limits(limits=1, user_api="blas"):
        _replicate_counts(rng, jobs, counts, n_docs, n_boot)
    alpha = (1 - level) / 2
    result: dict[str, pd.DataFrame] = {}
    for name, mapping in mappings.items():
        parts = []
        for (g, _, used, doc_counts), replicate in zip(jobs, counts, strict=True):
            codes_ = [str(c_uniques[i]) for i in used]
            pairs = [(d, j) for j, code in enumerate(codes_) for d in mapping.get(code, [])]
            if not pairs:
                continue
            dim_names = sorted({d for d, _ in pairs})
            dim_of = np.array([dim_names.index(d) for d, _ in pairs])
            code_of = np.array([j for _, j in pairs])
            onehot = np.zeros((len(pairs), len(dim_names)))
            onehot[np.arange(len(pairs)), dim_of] = 1.0
            totals = doc_counts.sum(axis=0, dtype=float)[code_of]
            point = totals / (totals @ onehot)[dim_of]
            pair_counts = replicate[:, code_of]
            dim_counts = (pair_counts @ onehot)[:, dim_of]
            shares = np.divide(
                pair_counts,
                dim_counts,
                out=np.full_like(pair_counts, np.nan),
                where=dim_counts > 0,
            )
            if np.isnan(shares).any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: NaN bounds
                    low, high = np.nanquantile(shares, [alpha, 1 - alpha], axis=0)
            else:
                low, high = np.quantile(shares, [alpha, 1 - alpha], axis=0)
            parts.append(
                pd.DataFrame(
                    {
                        by: [g_uniques[g]] * len(pairs),
                        "dimension": [d for d, _ in pairs],
                        "code": [codes_[j] for _, j in pairs],
                        "share": point,
                        "ci_low": low.astype(float),
                        "ci_high": high.astype(float),
                    }
                )
            )
        result[name] = (
            pd.concat(parts, ignore_index=True).set_index([by, "dimension", "code"]).sort_index()
            if parts
            else empty[name]
        )
    return result


def benjamini_hochberg(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (*q*-values) of ``p``, in the same order.

    ``q_(i) = min over j >= i of min(1, p_(j) * m / j)`` for the p-values sorted
    ascending, ``m`` the number of tests. NaN entries are not tests: they stay NaN and do
    not count in ``m``. The result is monotone in ``p``, at least ``p`` and at most 1.

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    p_arr = np.asarray(p, dtype=float)
    q = np.full(p_arr.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p_arr))
    m = len(tested)
    if m == 0:
        return q
    order = tested[np.argsort(p_arr[tested], kind="stable")]
    scaled = p_arr[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q


_erfc = np.frompyfunc(math.erfc, 1, 1)


def _two_sided_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-values of standard normal ``z`` (``erfc(|z| / sqrt 2)``); NaN stays
    NaN."""
    z = np.asarray(z, dtype=float)
    p = np.full(z.shape, np.nan)
    finite = np.isfinite(z)
    p[finite] = _erfc(np.abs(z[finite]) / math.sqrt(2.0)).astype(float)
    return p


def log_odds(
    frame: pd.DataFrame,
    by: str = "actor",
    unit: str = "segment",
    prior_scale: float | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Weighted log-odds ratios with an informative Dirichlet prior, each group against all
    others (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16-22), with p-values
    corrected for the number of tests.

    The prior is the pooled code distribution scaled to ``prior_scale`` pseudo-counts
    (default: the total count, i.e. as informative as the data). Columns ``count`` (coded
    units, int64), ``delta`` (log-odds difference), ``variance``, ``z``
    (``delta / sqrt(variance)``), ``p`` (two-sided p-value of ``z``, normal
    approximation), ``q`` (Benjamini-Hochberg adjusted p-value) and ``significant``
    (``q < alpha``).

    The table holds one test per (group x code): with 9 actors and 60 codes that is 540
    tests, so about 27 would have ``p < 0.05`` by chance alone. ``q`` controls the false
    discovery rate over *all* the tests in the returned table; read ``significant``, not
    ``|z| > 1.96``. A group with no other group to compare with (a frame with one group)
    has no defined ``z``: ``delta``, ``variance``, ``z``, ``p`` and ``q`` are NaN,
    ``significant`` is False, and such rows are not counted as tests.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    counted = _count(frame, [by, "code"], distinct=_unit_column(unit))
    matrix = counted.pivot(index=by, columns="code", values="count").fillna(0).astype(float)
    y = matrix.to_numpy()
    total = y.sum()
    alpha_w = y.sum(axis=0) / total * (prior_scale if prior_scale is not None else total)
    alpha_0 = alpha_w.sum()
    y_j = y.sum(axis=0) - y  # every other group, pooled
    n_i, n_j = y.sum(axis=1, keepdims=True), y_j.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds_i = np.log((y + alpha_w) / (n_i + alpha_0 - y - alpha_w))
        odds_j = np.log((y_j + alpha_w) / (n_j + alpha_0 - y_j - alpha_w))
        delta = odds_i - odds_j
        variance = 1.0 / (y + alpha_w) + 1.0 / (y_j + alpha_w)
        z = delta / np.sqrt(variance)
    # no other group (one group alone) or a degenerate prior (one code): undefined
    undefined = (n_j == 0) | ~np.isfinite(z)
    delta, variance, z = (np.where(undefined, np.nan, a) for a in (delta, variance, z))
    p = _two_sided_p(z.ravel())
    q = benjamini_hochberg(p)
    index = pd.MultiIndex.from_product([matrix.index, matrix.columns], names=[by, "code"])
    table = pd.DataFrame(
        {
            "count": y.ravel().astype(np.int64),
            "delta": delta.ravel(),
            "variance": variance.ravel(),
            "z": z.ravel(),
            "p": p,
            "q": q,
            "significant": np.nan_to_num(q, nan=1.0) < alpha,
        },
        index=index,
    )
    return table.sort_index()


def overlap_zones(
    table: pd.DataFrame, by: str = "actor", min_share: float | None = None
) -> pd.DataFrame:
    """Codes salient for two or more groups: the article's "zones of overlap".

    A code is *salient* for a group when its share (from :func:`crosstab`) is at least
    ``min_share``; by default, at least the uniform share of its dimension (1 / number of
    codes of the dimension seen in the table), i.e. the group uses it more than an even
    spread would. Returns one row per overlapping code: ``groups`` (the group names,
    sorted, as one readable string: ``"China; Russia"``), ``n_groups``, ``min_share`` among
    them, and the measure used.
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
                    "groups": "; ".join(sorted(part[by].astype(str).unique())),
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


#: The values of :func:`trends`' ``normalise``.
TREND_NORMALISATIONS = ("count", "per_document", "per_10k_words")


def _empty_trends(by: str | None) -> pd.DataFrame:
    columns: dict[str, pd.Series] = {"year": pd.Series(dtype=np.int64)}
    if by:
        columns[by] = pd.Series(dtype=object)
    columns.update(
        {
            "dimension": pd.Series(dtype=object),
            "code": pd.Series(dtype=object),
            "count": pd.Series(dtype="Int64"),
            "documents": pd.Series(dtype="Int64"),
            "words": pd.Series(dtype="Int64"),
            "value": pd.Series(dtype=float),
            "share": pd.Series(dtype=float),
        }
    )
    return pd.DataFrame(columns)


def _denominators(
    documents: pd.DataFrame, by: str | None, start: int, end: int, like: pd.DataFrame
) -> pd.DataFrame:
    """Documents and words per (year, [by]) from one row per (source, group value)."""
    needed = ["source_id", "year", "n_words", *([by] if by else [])]
    missing = [c for c in needed if c not in documents.columns]
    if missing:
        raise ValueError(f"documents needs the columns {', '.join(needed)}; missing {missing}")
    docs = documents[needed]
    year = pd.to_numeric(docs["year"], errors="coerce")
    docs = docs[((year >= start) & (year <= end)).to_numpy(dtype=bool, na_value=False)]
    # one row per (source, group value): a source listed twice counts once
    docs = docs.drop_duplicates(["source_id", *([by] if by else [])])
    keys = ["year", *([by] if by else [])]
    grouped = docs.assign(n_words=pd.to_numeric(docs["n_words"]).fillna(0)).groupby(
        keys, observed=True, sort=False
    )
    den = grouped.agg(documents=("source_id", "size"), words=("n_words", "sum")).reset_index()
    # the same key types as the counted table, so that they merge
    den["year"] = den["year"].astype(np.int64)
    if by:
        den[by] = den[by].astype(object).astype(like[by].dtype)
    den["documents"] = den["documents"].astype(np.int64)
    den["words"] = den["words"].round().astype(np.int64)
    return den


def trends(
    frame: pd.DataFrame,
    start: int | None = None,
    end: int | None = None,
    by: str | None = "actor",
    unit: str = "segment",
    normalise: str = "count",
    documents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Coded units per year (and group) over ``start..end``, raw or per document or per
    10,000 words, with *gaps* where the group has no document.

    ``start`` and ``end`` default to the first and last year of the frame's codings; codings
    without a year are left out. ``start > end`` raises ValueError.

    ``documents`` describes the corpus behind the frame (every document, coded or not): one
    row per (source, group value) with the columns ``source_id``, ``year``, ``n_words`` and
    ``by`` (unless ``by`` is None). It gives the denominators and tells a *gap* (a year in
    which the group has no document: nothing could have been coded) from a *zero* (documents
    that year, none with the code). Without ``documents`` the best that can be done is to
    take a year in which the frame has no coding at all for the group as a gap; a year whose
    documents were all left uncoded is then a gap too, and only ``normalise="count"`` is
    possible.

    ``normalise`` (one of :data:`TREND_NORMALISATIONS`): ``"count"`` (``value`` = ``count``),
    ``"per_document"`` (``count`` / ``documents``) or ``"per_10k_words"``
    (``count`` * 10,000 / ``words``; NaN when the documents have no words).

    One row per year of ``start..end`` for every (group, dimension, code) coded in the
    range. Columns: ``year`` (int64), [by], ``dimension``, ``code``, ``count`` (coded
    units, nullable ``Int64``: ``<NA>`` in gap years, 0 in years with documents but no such
    coding), ``documents`` and ``words`` (the denominators, ``Int64``: 0 in gap years,
    ``<NA>`` without ``documents``), ``value`` (float; NaN in gap years, so a chart draws a
    break rather than a drop to zero) and ``share`` (of the group's coded units in the
    code's dimension that year; 0 when it coded nothing in the dimension, NaN in gap
    years). An empty frame (or no coding in the range) gives an empty table with these
    columns.
    """
    if normalise not in TREND_NORMALISATIONS:
        raise ValueError(
            f"normalise must be one of {', '.join(TREND_NORMALISATIONS)}; got {normalise!r}"
        )
    if normalise != "count" and documents is None:
        raise ValueError(
            f"normalise={normalise!r} needs documents: one row per (source, group) "
            "with source_id, year and n_words"
        )
    if start is not None and end is not None and start > end:
        raise ValueError(f"start year {start} is after end year {end}")
    key = _unit_column(unit)
    if frame.empty:
        return _empty_trends(by)
    year = frame["year"]
    if start is None or end is None:
        known = pd.to_numeric(year, errors="coerce")
        if known.isna().all():
            return _empty_trends(by)
        start = int(known.min()) if start is None else start
        end = int(known.max()) if end is None else end
        if start > end:
            raise ValueError(f"start year {start} is after end year {end}")
    mask = ((year >= start) & (year <= end)).to_numpy(dtype=bool, na_value=False)
    keys = ["year"] + ([by] if by else [])
    table = _count(frame, [*keys, "dimension", "code"], distinct=key, mask=mask)
    if table.empty:
        return _empty_trends(by)
    table["share"] = _share_within(table, [*keys, "dimension"])
    if documents is None:
        den = table[keys].drop_duplicates()
        den["_observed"] = True
    else:
        den = _denominators(documents, by, start, end, table)
        den["_observed"] = den["documents"] > 0
        orphans = table[keys].drop_duplicates().merge(den, on=keys, how="left")
        orphans = orphans[orphans["documents"].isna()]
        if len(orphans):
            where = ", ".join(
                " ".join(map(str, r)) for r in orphans[keys].head(3).itertuples(index=False)
            )
            raise ValueError(
                f"documents lists no document for codings of {where}"
                + (f" (and {len(orphans) - 3} more)" if len(orphans) > 3 else "")
                + ": it must describe the corpus the frame was read from"
            )
    years = pd.DataFrame({"year": np.arange(start, end + 1, dtype=np.int64)})
    combos = table[[c for c in keys if c != "year"] + ["dimension", "code"]].drop_duplicates()
    full = (
        years.merge(combos, how="cross")
        .merge(table, how="left", on=[*keys, "dimension", "code"])
        .merge(den, how="left", on=keys)
    )
    observed = full["_observed"].fillna(False).to_numpy(dtype=bool)
    counts = full["count"].fillna(0).to_numpy(dtype=np.int64)
    full["count"] = pd.arrays.IntegerArray(counts, ~observed)  # mask: True is <NA>
    if documents is not None:
        full["documents"] = full["documents"].fillna(0).astype("Int64")
        full["words"] = full["words"].fillna(0).astype("Int64")
    else:
        unknown = np.ones(len(full), dtype=bool)
        full["documents"] = pd.arrays.IntegerArray(np.zeros(len(full), np.int64), unknown)
        full["words"] = pd.arrays.IntegerArray(np.zeros(len(full), np.int64), unknown.copy())
    numerator = counts.astype(float)
    if normalise == "count":
        value = numerator
    else:
        denominator = full["documents" if normalise == "per_document" else "words"]
        denominator = denominator.to_numpy(dtype=float, na_value=np.nan)
        scale = 1.0 if normalise == "per_document" else 10_000.0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denominator > 0, numerator * scale / denominator, np.nan)
    full["value"] = np.where(observed, value, np.nan)
    full["share"] = np.where(observed, full["share"].fillna(0.0).to_numpy(dtype=float), np.nan)
    columns = [*keys, "dimension", "code", "count", "documents", "words", "value", "share"]
    return full[columns].sort_values([*keys, "dimension", "code"], ignore_index=True)


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
    it (largest absolute share differences).

    Columns: [by], ``groups`` (``"a vs b"``), ``jsd``, ``n_a`` and ``n_b`` (coded units of
    each source group, int64) and ``drivers``: the ``top`` codes by absolute share
    difference as one readable string, each with the share of ``a`` minus the share of
    ``b`` (``"connectivity_development +0.21; modernization -0.10"``).
    """
    counted = _count(frame, [by, "group", "code"], distinct=_unit_column(unit))
    rows = []
    for actor, part in counted.groupby(by, sort=True):
        dist = part.pivot(index="group", columns="code", values="count").fillna(0).astype(float)
        for a, b in combinations(sorted(dist.index), 2):
            p, q = dist.loc[a], dist.loc[b]
            diff = (p / p.sum() - q / q.sum()).sort_values(key=np.abs, ascending=False)
            rows.append(
                {
                    by: actor,
                    "groups": f"{a} vs {b}",
                    "jsd": jensen_shannon(p.to_numpy(), q.to_numpy()),
                    "n_a": int(p.sum()),
                    "n_b": int(q.sum()),
                    "drivers": "; ".join(f"{code} {d:+.2f}" for code, d in diff.head(top).items()),
                }
            )
    table = pd.DataFrame(rows, columns=[by, "groups", "jsd", "n_a", "n_b", "drivers"])
    return table.astype({"n_a": np.int64, "n_b": np.int64})


def cooccurrence(frame: pd.DataFrame) -> pd.DataFrame:
    """Pairs of codes on the same segment: ``count`` of segments with both, and Jaccard
    (both / either)."""
    columns = ["code_a", "code_b", "count", "jaccard"]
    c_codes, c_uniques = _encode(frame["code"])
    u_codes, _ = _encode(frame["unit"], sort=False)
    n_codes = len(c_uniques)
    valid = (c_codes >= 0) & (u_codes >= 0)
    key = _sorted_unique(u_codes[valid] * n_codes + c_codes[valid])  # distinct (unit, code)
    unit, code = np.divmod(key, n_codes)
    per_code = np.bincount(code, minlength=n_codes)
    both = np.zeros(n_codes * n_codes, dtype=np.int64)
    # within a unit the codes are sorted: pair each row with the ones d rows further on
    d = 1
    while d < len(unit):
        same = unit[d:] == unit[:-d]
        if not same.any():
            break
        both += np.bincount(code[:-d][same] * n_codes + code[d:][same], minlength=n_codes**2)
        d += 1
    pairs = np.flatnonzero(both)
    a, b = np.divmod(pairs, n_codes)
    count = both[pairs]
    table = pd.DataFrame(
        {
            "code_a": pd.Index(c_uniques)[a] if n_codes else [],
            "code_b": pd.Index(c_uniques)[b] if n_codes else [],
            "count": count,
            "jaccard": count / (per_code[a] + per_code[b] - count),
        },
        columns=columns,
    )
    return table.sort_values(["count", "jaccard"], ascending=False, ignore_index=True)
