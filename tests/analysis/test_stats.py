"""Comparison statistics on hand-computed fixtures, plus properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplocode.analysis.stats import (
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
    assert zones.loc[0, "groups"] == ["China", "USA"] and zones.loc[0, "n_groups"] == 2
    assert "1/k" in zones.loc[0, "measure"]


def test_trends_fill_missing_years() -> None:
    t = trends(F, start=2015, end=2017, by="actor")
    china_connect = t[(t.actor == "China") & (t.code == "connect")]
    assert china_connect["year"].tolist() == [2015, 2016, 2017]
    assert china_connect["count"].tolist() == [2, 0, 0]


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
    assert {code for code, _ in russia["drivers"][:2]} == {"language", "scholarship"}


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
    suggested = codings_frame(project.store, include_suggested=True)
    assert set(suggested["actor"]) == {"United States", "Kazakhstan"}  # subjects are not authors
    assert suggested.attrs["include_suggested"] is True
    first = int(suggested["coding_id"].min())
    coding.accept(project, first, "tester")
    reviewed = codings_frame(project.store)
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
