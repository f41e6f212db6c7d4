"""Comparison statistics on hand-computed fixtures, plus properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplocode.analysis.stats import (
    benjamini_hochberg,
    bootstrap_share_ci,
    cooccurrence,
    crosstab,
    jensen_shannon,
    log_odds,
    overlap_zones,
    trends,
    triangulation,
)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """rows: (actor, source_id, unit, code, dimension, year, group)"""
    return pd.DataFrame(
        rows, columns=["actor", "source_id", "unit", "code", "dimension", "year", "group"]
    )


# China: doc 1 (2 units: connect, connect+dialogue), doc 2 (1 unit: sovereignty)
# Russia: doc 3 (2 units: history, language), doc 4 (1 unit: history)
F = frame(
    [
        ("China", 1, 10, "connect", "leg", 2015, "official"),
        ("China", 1, 11, "connect", "leg", 2015, "official"),
        ("China", 1, 11, "dialogue", "leg", 2015, "official"),
        ("China", 2, 20, "sovereignty", "leg", 2023, "academic"),
        ("Russia", 3, 30, "history", "leg", 2016, "official"),
        ("Russia", 3, 31, "language", "leg", 2016, "official"),
        ("Russia", 4, 40, "history", "leg", 2022, "analytical"),
        ("Russia", 4, 40, "scholarship", "chan", 2022, "analytical"),
    ]
)


def test_crosstab_by_hand() -> None:
    t = crosstab(F)
    # China legitimacy: connect 2, dialogue 1, sovereignty 1 -> shares 0.5, 0.25, 0.25
    assert t.loc[("China", "connect"), "count"] == 2
    assert t.loc[("China", "connect"), "share"] == pytest.approx(0.5)
    assert t.loc[("China", "dialogue"), "share"] == pytest.approx(0.25)
    # documents: connect in 1 of China's 2 documents
    assert t.loc[("China", "connect"), "doc_share"] == pytest.approx(0.5)
    # Russia: scholarship is the only channel code -> share 1 within its dimension
    assert t.loc[("Russia", "scholarship"), "share"] == pytest.approx(1.0)
    assert t.loc[("Russia", "history"), "share"] == pytest.approx(2 / 3)


def test_crosstab_counts_are_integers() -> None:
    t = crosstab(F)
    assert t["count"].dtype == np.int64 and t["documents"].dtype == np.int64
    # the bootstrap join the report and the CLI make keeps them integers
    joined = bootstrap_share_ci(F, n_boot=20).join(t[["count", "documents", "doc_share"]])
    assert joined["count"].dtype == np.int64
    assert joined.loc[("China", "connect"), "count"] == 2


def test_document_unit_counts_each_document_once() -> None:
    t = crosstab(F, unit="document")
    assert t.loc[("China", "connect"), "count"] == 1
    assert t.loc[("Russia", "history"), "count"] == 2


def test_log_odds_by_hand() -> None:
    # two groups, two codes: A (x=3, y=1), B (x=1, y=3); prior scale 4 -> alpha_x = alpha_y = 2
    f = frame(
        [("A", 1, i, "x", "d", 2015, "official") for i in range(3)]
        + [("A", 2, 9, "y", "d", 2015, "official")]
        + [("B", 3, 20, "x", "d", 2015, "official")]
        + [("B", 4, 20 + i, "y", "d", 2015, "official") for i in range(1, 4)]
    )
    t = log_odds(f, prior_scale=4)
    # delta_A,x = log((3+2)/(4+4-3-2)) - log((1+2)/(4+4-1-2)) = log(5/3) - log(3/5)
    expected = math.log(5 / 3) - math.log(3 / 5)
    assert t.loc[("A", "x"), "delta"] == pytest.approx(expected)
    assert t.loc[("A", "x"), "variance"] == pytest.approx(1 / 5 + 1 / 3)
    assert t.loc[("A", "x"), "z"] == pytest.approx(expected / math.sqrt(1 / 5 + 1 / 3))
    assert t.loc[("B", "x"), "z"] == pytest.approx(-t.loc[("A", "x"), "z"])
    # p = erfc(|z| / sqrt 2); all four tests have the same |z|, so BH leaves p unchanged
    z = expected / math.sqrt(1 / 5 + 1 / 3)  # 1.393...
    p = math.erfc(z / math.sqrt(2))  # 0.1635...
    assert t["p"].tolist() == pytest.approx([p] * 4)
    assert t["q"].tolist() == pytest.approx([p] * 4)
    assert not t["significant"].any()
    assert t["count"].dtype == np.int64 and t["significant"].dtype == bool
    # with alpha above q everything is significant
    assert log_odds(f, prior_scale=4, alpha=0.2)["significant"].all()
    with pytest.raises(ValueError, match="alpha"):
        log_odds(f, alpha=1.5)


def test_benjamini_hochberg_by_hand() -> None:
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]
    # m = 8: p * 8 / rank = .008 .032 .104 .082 .0672 .08 .0846 .205, then the running
    # minimum from the largest p down: .008 .032 .0672 .0672 .0672 .08 .0846 .205
    expected = [0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.08, 0.074 * 8 / 7, 0.205]
    assert benjamini_hochberg(p).tolist() == pytest.approx(expected)
    # order does not matter; NaN is not a test (m stays 8) and stays NaN; capped at 1
    shuffled = [p[i] for i in (7, 2, 0, 5, 1, 3, 6, 4)] + [math.nan]
    q = benjamini_hochberg(shuffled)
    assert q[:8].tolist() == pytest.approx([expected[i] for i in (7, 2, 0, 5, 1, 3, 6, 4)])
    assert math.isnan(q[8])
    assert benjamini_hochberg([0.9, 0.8]).tolist() == [0.9, 0.9]
    assert benjamini_hochberg([0.6, 0.7, 0.8]).max() <= 1.0
    assert benjamini_hochberg([]).tolist() == []


def test_log_odds_q_counts_every_test_in_the_table() -> None:
    # three groups, two codes: A (x 30, y 6), B (12, 12), C (10, 14) -> 6 tests
    rows, unit = [], 0
    for group, source, n_x, n_y in (("A", 1, 30, 6), ("B", 2, 12, 12), ("C", 3, 10, 14)):
        for code, n in (("x", n_x), ("y", n_y)):
            for _ in range(n):
                rows.append((group, source, unit, code, "d", 2015, "official"))
                unit += 1
    t = log_odds(frame(rows))
    p = [math.erfc(abs(z) / math.sqrt(2)) for z in t["z"]]
    assert t["p"].tolist() == pytest.approx(p)
    # BH by hand: ranks of p (A x 1, A y 2, C x 3, C y 4, B x 5, B y 6), q = p * 6 / rank
    # (already increasing in rank here, so the running minimum changes nothing)
    rank = {
        ("A", "x"): 1,
        ("A", "y"): 2,
        ("C", "x"): 3,
        ("C", "y"): 4,
        ("B", "x"): 5,
        ("B", "y"): 6,
    }
    for (group, code), r in rank.items():
        assert t.loc[(group, code), "q"] == pytest.approx(t.loc[(group, code), "p"] * 6 / r)
    assert t["q"].round(4).tolist() == [0.0063, 0.0354, 0.2747, 0.339, 0.0839, 0.155]
    # C's x has p < 0.05 alone but not after the correction for the six tests
    assert t.loc[("C", "x"), "p"] < 0.05 and not t.loc[("C", "x"), "significant"]
    assert t["significant"].tolist() == [True, True, False, False, False, False]


def test_log_odds_one_group_alone_is_undefined() -> None:
    t = log_odds(F[F["actor"] == "China"])
    assert t[["delta", "variance", "z", "p", "q"]].isna().all().all()
    assert not t["significant"].any()
    assert t.loc[("China", "connect"), "count"] == 2


p_values = st.lists(st.one_of(st.floats(0.0, 1.0), st.just(math.nan)), min_size=0, max_size=40)


@settings(max_examples=100, deadline=None)
@given(p_values)
def test_bh_q_is_at_least_p_at_most_one_and_monotone(p) -> None:
    q = benjamini_hochberg(p)
    p_arr = np.asarray(p, dtype=float)
    tested = ~np.isnan(p_arr)
    assert np.array_equal(np.isnan(q), ~tested)
    p_t, q_t = p_arr[tested], q[tested]
    assert (q_t >= p_t - 1e-15).all() and (q_t <= 1.0).all()
    order = np.argsort(p_t, kind="stable")
    assert (np.diff(q_t[order]) >= -1e-15).all()  # monotone in p


def test_overlap_zones() -> None:
    f = frame(
        [
            ("China", 1, 1, "connect", "leg", 2015, "official"),
            ("China", 1, 2, "sovereignty", "leg", 2015, "official"),
            ("USA", 2, 3, "sovereignty", "leg", 2015, "official"),
            ("USA", 2, 4, "resilience", "leg", 2015, "official"),
            ("Russia", 3, 5, "history", "leg", 2015, "official"),
        ]
    )
    zones = overlap_zones(crosstab(f))
    assert zones["code"].tolist() == ["sovereignty"]
    assert zones.loc[0, "groups"] == "China; USA" and zones.loc[0, "n_groups"] == 2
    assert "1/k" in zones.loc[0, "measure"]


TREND_COLUMNS = [
    "year",
    "actor",
    "dimension",
    "code",
    "count",
    "documents",
    "words",
    "value",
    "share",
]

# the corpus behind F: China also has doc 5 (2016, coded nothing) and Russia doc 6 (2015)
DOCS = pd.DataFrame(
    {
        "source_id": [1, 2, 3, 4, 5, 6],
        "year": [2015, 2023, 2016, 2022, 2016, 2015],
        "n_words": [4000, 1000, 2500, 500, 1000, 1500],
        "actor": ["China", "China", "Russia", "Russia", "China", "Russia"],
    }
)


def _series(t: pd.DataFrame, actor: str, code: str, column: str) -> list:
    rows = t[(t.actor == actor) & (t.code == code)]
    return [None if pd.isna(v) else v for v in rows[column]]


def test_trends_without_documents_years_without_codings_are_gaps() -> None:
    t = trends(F, start=2015, end=2017, by="actor")
    assert t.columns.tolist() == TREND_COLUMNS
    china_connect = t[(t.actor == "China") & (t.code == "connect")]
    assert china_connect["year"].tolist() == [2015, 2016, 2017]
    # China coded nothing at all in 2016-2017: gaps (NA), not zeros
    assert _series(t, "China", "connect", "count") == [2, None, None]
    assert _series(t, "China", "connect", "value") == [2.0, None, None]
    assert _series(t, "China", "connect", "share") == [pytest.approx(2 / 3), None, None]
    # 2015..2023: China coded in 2015 and 2023 only; in 2023 not connect -> a zero
    t = trends(F, start=2015, end=2023)
    assert _series(t, "China", "connect", "count") == [2] + [None] * 7 + [0]
    assert _series(t, "China", "sovereignty", "count") == [0] + [None] * 7 + [1]
    assert _series(t, "China", "sovereignty", "share") == [0.0] + [None] * 7 + [1.0]
    # the denominators are unknown without documents
    assert t["documents"].isna().all() and t["words"].isna().all()
    assert t["count"].dtype == "Int64" and t["value"].dtype == float


def test_trends_default_range_is_the_datas_and_inverted_range_fails() -> None:
    t = trends(F)
    assert (t["year"].min(), t["year"].max()) == (2015, 2023)
    assert sorted(t["year"].unique()) == list(range(2015, 2024))
    assert t["year"].dtype == np.int64
    assert trends(F, start=2020)["year"].min() == 2020
    assert trends(F, end=2016)["year"].tolist()[-1] == 2016
    with pytest.raises(ValueError, match="after"):
        trends(F, start=2020, end=2016)
    with pytest.raises(ValueError, match="after"):
        trends(F, start=2030)  # after the data's last year
    with pytest.raises(ValueError, match="count, per_document, per_10k_words"):
        trends(F, normalise="per_word")
    with pytest.raises(ValueError, match="needs documents"):
        trends(F, normalise="per_document")


def test_trends_with_documents_gaps_and_zeros() -> None:
    t = trends(F, start=2015, end=2017, documents=DOCS)
    # China: 2015 doc 1, 2016 doc 5 (uncoded: a real zero), 2017 no document (a gap)
    assert _series(t, "China", "connect", "count") == [2, 0, None]
    assert _series(t, "China", "connect", "documents") == [1, 1, 0]
    assert _series(t, "China", "connect", "words") == [4000, 1000, 0]
    assert _series(t, "China", "connect", "share") == [pytest.approx(2 / 3), 0.0, None]
    # Russia: doc 6 in 2015 (uncoded), doc 3 in 2016
    assert _series(t, "Russia", "history", "count") == [0, 1, None]
    assert _series(t, "Russia", "history", "value") == [0.0, 1.0, None]


def test_trends_per_document_and_per_10k_words() -> None:
    docs = pd.concat(
        [
            DOCS,
            pd.DataFrame({"source_id": [7], "year": [2015], "n_words": [1000], "actor": ["China"]}),
        ]
    )
    per_doc = trends(F, start=2015, end=2016, documents=docs, normalise="per_document")
    # China 2015: 2 connect units over 2 documents (1 and 7); 2016: 0 over 1
    assert _series(per_doc, "China", "connect", "value") == [pytest.approx(1.0), 0.0]
    assert _series(per_doc, "China", "dialogue", "value") == [pytest.approx(0.5), 0.0]
    assert _series(per_doc, "Russia", "language", "value") == [0.0, pytest.approx(1.0)]
    per_words = trends(F, start=2015, end=2016, documents=docs, normalise="per_10k_words")
    # China 2015: 2 * 10,000 / (4000 + 1000) = 4; Russia 2016: 1 * 10,000 / 2500 = 4
    assert _series(per_words, "China", "connect", "value") == [pytest.approx(4.0), 0.0]
    assert _series(per_words, "China", "connect", "words") == [5000, 1000]
    assert _series(per_words, "Russia", "language", "value") == [0.0, pytest.approx(4.0)]
    # a gap stays a gap whatever the normalisation
    wide = trends(F, start=2015, end=2017, documents=docs, normalise="per_10k_words")
    assert _series(wide, "China", "connect", "value")[-1] is None


def test_trends_without_groups_and_documents_listed_twice() -> None:
    # by=None: one row per source; a source listed once per actor counts once
    docs = pd.concat([DOCS, DOCS.assign(actor="Kazakhstan")], ignore_index=True)
    t = trends(F, start=2015, end=2017, by=None, documents=docs, normalise="per_document")
    assert "actor" not in t.columns
    connect = t[t.code == "connect"]
    assert connect["documents"].tolist() == [2, 2, 0]  # 2015: docs 1 and 6
    assert _series_plain(connect["value"]) == [pytest.approx(1.0), 0.0, None]


def _series_plain(values: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in values]


def test_trends_documents_must_cover_the_codings() -> None:
    with pytest.raises(ValueError, match="no document for codings of 2023 China"):
        trends(F, documents=DOCS[DOCS.source_id != 2])
    with pytest.raises(ValueError, match="n_words"):
        trends(F, documents=DOCS.drop(columns="n_words"))


def test_trends_of_an_empty_frame() -> None:
    for t in (trends(F.iloc[:0]), trends(F.iloc[:0], start=2015, end=2020)):
        assert t.empty and t.columns.tolist() == TREND_COLUMNS
    assert trends(F.iloc[:0], by=None).columns.tolist() == [
        c for c in TREND_COLUMNS if c != "actor"
    ]
    # codings, but none in the range
    assert trends(F, start=2000, end=2005).empty


def test_jensen_shannon_known_values() -> None:
    assert jensen_shannon([1, 0], [0, 1]) == pytest.approx(1.0)
    assert jensen_shannon([1, 1], [1, 1]) == 0.0
    # p=(1/2,1/2), q=(1,0): m=(3/4,1/4); JSD = 0.5*KL(p||m) + 0.5*KL(q||m)
    kl_p = 0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)
    kl_q = math.log2(1 / 0.75)
    assert jensen_shannon([1, 1], [1, 0]) == pytest.approx(0.5 * kl_p + 0.5 * kl_q)


def test_triangulation_names_the_driving_codes() -> None:
    t = triangulation(F)
    russia = t[t.actor == "Russia"].iloc[0]
    assert russia["groups"] == "analytical vs official"
    # analytical: history 1, scholarship 1; official: history 1, language 1
    assert russia["jsd"] == pytest.approx(jensen_shannon([1, 0, 1], [1, 1, 0]))
    assert (russia["n_a"], russia["n_b"]) == (2, 2)
    assert t["n_a"].dtype == np.int64 and t["n_b"].dtype == np.int64
    # shares: analytical (history 1/2, scholarship 1/2), official (history 1/2, language 1/2)
    drivers = russia["drivers"].split("; ")
    assert set(drivers[:2]) == {"language -0.50", "scholarship +0.50"}
    assert drivers[2] == "history +0.00"


def test_cooccurrence() -> None:
    c = cooccurrence(F)
    row = c[(c.code_a == "history") & (c.code_b == "scholarship")].iloc[0]
    assert row["count"] == 1 and row["jaccard"] == pytest.approx(1 / 2)
    assert len(c[(c.code_a == "connect") & (c.code_b == "dialogue")]) == 1


def test_bootstrap_ci_contains_the_estimate() -> None:
    ci = bootstrap_share_ci(F, n_boot=300, seed=1)
    assert ((ci["ci_low"] <= ci["share"] + 1e-12) & (ci["share"] <= ci["ci_high"] + 1e-12)).all()
    # a code present in every document of its group has a degenerate interval at 1
    assert ci.loc[("Russia", "scholarship"), ["ci_low", "ci_high"]].tolist() == [1.0, 1.0]


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["China", "Russia", "USA"]),
        st.integers(1, 6),
        st.integers(1, 12),
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(2013, 2025),
        st.sampled_from(["official", "academic", "analytical"]),
    ),
    min_size=1,
    max_size=60,
)


def _frame_from(rows) -> pd.DataFrame:
    dims = {"a": "d1", "b": "d1", "c": "d2", "d": "d2"}
    return frame([(a, s, (s, u), c, dims[c], y, g) for a, s, u, c, y, g in rows])


@settings(max_examples=60, deadline=None)
@given(rows_strategy)
def test_shares_sum_to_one_per_group_and_dimension(rows) -> None:
    t = crosstab(_frame_from(rows)).reset_index()
    sums = t.groupby(["actor", "dimension"])["share"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)


@settings(max_examples=40, deadline=None)
@given(rows_strategy, st.randoms(use_true_random=False))
def test_tables_do_not_depend_on_row_order(rows, rnd) -> None:
    f = _frame_from(rows)
    shuffled = f.sample(frac=1.0, random_state=rnd.randint(0, 10_000)).reset_index(drop=True)
    pd.testing.assert_frame_equal(crosstab(f), crosstab(shuffled))
    pd.testing.assert_frame_equal(log_odds(f), log_odds(shuffled))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(rows_strategy, st.integers(0, 1000))
def test_bootstrap_ci_contains_the_estimate_for_any_data(rows, seed) -> None:
    ci = bootstrap_share_ci(_frame_from(rows), n_boot=200, seed=seed)
    assert ((ci["ci_low"] <= ci["share"] + 1e-9) & (ci["share"] <= ci["ci_high"] + 1e-9)).all()


@settings(max_examples=40, deadline=None)
@given(rows_strategy)
def test_trends_add_up_to_the_crosstab_and_gaps_are_years_without_documents(rows) -> None:
    f = _frame_from(rows)
    f["year"] = 2013 + 2 * f["source_id"]  # one year per source, with years between
    docs = f[["source_id", "year", "actor"]].drop_duplicates().assign(n_words=100)
    t = trends(f, documents=docs, normalise="per_document")
    totals = t.groupby(["actor", "code"])["count"].sum()
    counts = crosstab(f)["count"]
    assert totals.to_dict() == counts.to_dict()
    with_docs = set(zip(docs["actor"], docs["year"], strict=True))
    gap = [(a, y) not in with_docs for a, y in zip(t["actor"], t["year"], strict=True)]
    assert t["count"].isna().tolist() == gap
    assert t["value"].isna().tolist() == gap
    defined = ~np.asarray(gap)
    assert np.allclose(
        t["value"][defined] * t["documents"][defined].astype(float),
        t["count"][defined].astype(float),
    )


def test_codings_frame_counts_final_and_accepted_by_default(project, tmp_path) -> None:
    from diplocode import coding
    from diplocode.analysis.data import codings_frame
    from diplocode.coders import LexiconCoder
    from diplocode.corpus.ingest import IngestItem, ingest
    from diplocode.corpus.metadata import SourceMeta
    from diplocode.engine import run_coder

    path = tmp_path / "c5.txt"
    path.write_text(
        "The United States supports the sovereignty of Central Asian states. Scholarships build networks.",
        encoding="utf-8",
    )
    meta = SourceMeta(
        actors=(("United States", "author"), ("Kazakhstan", "co-signatory"), ("China", "subject")),
        group="official",
        date=(2023, 9, None),
    )
    list(ingest(project.store, [IngestItem(path, meta)], languages=project.languages))
    version_id, cb = project.codebook()
    run_coder(project.store, LexiconCoder(cb), version_id)
    assert codings_frame(project.store).empty  # nothing reviewed yet
    suggested = codings_frame(project.store, include_suggested=True, actor_role="author")
    assert set(suggested["actor"]) == {"United States", "Kazakhstan"}  # subjects are not authors
    assert suggested.attrs["include_suggested"] is True
    subject = codings_frame(project.store, include_suggested=True, actor_role="subject")
    assert set(subject["actor"]) == {"China"}
    # about: the first sentence names the United States and the Central Asian states; the
    # second names nobody, but its paragraph does (so not the subject, China)
    about = codings_frame(project.store, include_suggested=True)
    assert set(about["actor"]) == {"United States", "Central Asian states"}
    first = int(suggested["coding_id"].min())
    coding.accept(project, first, "tester")
    reviewed = codings_frame(project.store, actor_role="author")
    assert set(reviewed["coding_id"]) == {first} and set(reviewed["status"]) == {"accepted"}
    assert reviewed.loc[0, "year"] == 2023 and reviewed.loc[0, "group"] == "official"


@settings(max_examples=30, deadline=None)
@given(rows_strategy)
def test_tables_do_not_depend_on_column_dtypes(rows) -> None:
    """The store's frame uses categoricals and dense integer units; hand-made frames use
    strings and tuples. The tables must be the same."""
    f = _frame_from(rows)
    g = f.copy()
    for column in ("actor", "code", "dimension", "group"):
        g[column] = g[column].astype("category")
    g["unit"] = pd.factorize(g["unit"])[0]
    g["year"] = g["year"].astype("Int64")

    def plain(t: pd.DataFrame) -> pd.DataFrame:
        t = t.reset_index()
        for column in t.columns:
            if isinstance(t[column].dtype, pd.CategoricalDtype) or t[column].dtype == "Int64":
                t[column] = t[column].astype(object)
        return t

    pd.testing.assert_frame_equal(plain(crosstab(f)), plain(crosstab(g)), check_dtype=False)
    pd.testing.assert_frame_equal(plain(log_odds(f)), plain(log_odds(g)), check_dtype=False)
    pd.testing.assert_frame_equal(
        plain(trends(f, 2013, 2025)), plain(trends(g, 2013, 2025)), check_dtype=False
    )
    pd.testing.assert_frame_equal(cooccurrence(f), cooccurrence(g), check_dtype=False)


def test_trends_leave_out_sources_without_a_year() -> None:
    f = F.copy()
    f["year"] = pd.array([2015, 2015, 2015, None, 2016, 2016, None, None], dtype="Int64")
    t = trends(f, start=2015, end=2016)
    assert set(t[t["count"] > 0]["code"]) == {"connect", "dialogue", "history", "language"}
    assert (t["year"].min(), t["year"].max()) == (2015, 2016)
    assert trends(f)["year"].max() == 2016  # the default range ignores missing years
