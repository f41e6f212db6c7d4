"""The comparison engine: a specification in, every comparison table out.

``diplocode compare``, ``diplocode report`` and the web workbench's Compare page all call
:func:`compare` and only render what it returns, so the same :class:`Spec` gives the same
numbers everywhere. Nothing is hidden:

* the period defaults to the data's own range of years; an explicit period leaves out
  the codings outside it and the undated ones, and :attr:`Comparison.meta` says how many;
* which statuses count, whose actor a coding counts for (``about``/``author``/
  ``subject``), the unit counted and the codebook version are part of every output's note;
* every option is validated where it is declared (:meth:`Spec.validate`,
  :func:`check_applies`), with a coded error listing the valid values.

>>> Spec(unit="paragraph").validate()
Traceback (most recent call last):
...
diplocode.errors.DiplocodeError: [E060] The 'unit' parameter of the comparison must be one of segment, document. Got 'paragraph' instead. Pass a value that is one of segment, document.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from ..codebook.model import UI_LANGUAGES, Codebook, Layout
from ..errors import DiplocodeError
from ..i18n import (
    BY_NAMES,
    N_,
    NORMALISE_NAMES,
    ROLE_NAMES,
    SOURCE_GROUP_NAMES,
    STATUS_NAMES,
    UNIT_NAMES,
    translations,
)
from ..store.codebooks import carried_over, counted_codes
from ..store.schema import SOURCE_GROUPS, coders, codings, sources
from . import stats
from .data import ACTOR_ROLES, codings_frame, documents_frame
from .models import Cell, Quote, column_mapping, models_table, operationalisation_table

__all__ = [
    "APPLIES",
    "BY",
    "NORMALISE",
    "TABLES",
    "UNITS",
    "Comparison",
    "Spec",
    "TableResult",
    "check_applies",
    "compare",
]

#: Every table the engine makes.
TABLES = (
    "models",
    "crosstab",
    "distinctive",
    "overlap",
    "trends",
    "triangulation",
    "cooccurrence",
    "operationalisation",
)
UNITS = ("segment", "document")
BY = ("actor", "year", "group", "language")
NORMALISE = ("count", "per_document", "per_10k_words")
#: Which tables an option (a :class:`Spec` field) changes; giving it for another table is
#: an error (E110), never silently ignored.
APPLIES: dict[str, tuple[str, ...]] = {
    "by": ("crosstab", "distinctive", "overlap", "trends", "triangulation"),
    "unit": ("models", "crosstab", "distinctive", "overlap", "trends", "triangulation"),
    "normalise": ("trends",),
    "top": ("models",),
    "quotes": ("models",),
}

_CI_NOTE = N_(
    "95% interval: percentile bootstrap of the corpus (1,000 replicates, seed 0): each "
    "replicate draws the documents with replacement, and a drawn document brings all its "
    "codings; codings of one document are not independent, so documents, not passages, are "
    "drawn. No interval for a row with a single document."
)


@dataclass(frozen=True)
class Spec:
    """What to compare. ``None`` or empty means "no filter"; nothing else is implied."""

    actor_role: str = "about"
    unit: str = "segment"
    include_suggested: bool = False
    start: int | None = None
    end: int | None = None
    codebook: str | int | None = None
    groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    #: custom attributes of the sources (manifest columns): (key, value) pairs, all must hold
    attributes: tuple[tuple[str, str], ...] = ()
    #: actor, year, group, language, or ``attribute:KEY`` (a custom attribute's values)
    by: str = "actor"
    normalise: str = "count"
    lang: str = "en"
    top: int = 3
    quotes: int = 2
    n_boot: int = 1000

    def validate(self, languages: Sequence[str] | None = None) -> Spec:
        """This spec if every field holds a valid value, else a coded error naming the
        field and listing the valid values."""
        _one_of("actor_role", self.actor_role, ACTOR_ROLES)
        _one_of("unit", self.unit, UNITS)
        if not (self.by.startswith("attribute:") and self.by[len("attribute:") :].strip()):
            _one_of("by", self.by, (*BY, "attribute:KEY"))
        _one_of("normalise", self.normalise, NORMALISE)
        _one_of("lang", self.lang, UI_LANGUAGES)
        for group in self.groups:
            _one_of("group", group, SOURCE_GROUPS)
        if languages is not None:
            for language in self.languages:
                _one_of("language", language, tuple(languages))
        for name, value, low in (("top", self.top, 1), ("quotes", self.quotes, 0)):
            if not isinstance(value, int) or value < low:
                raise DiplocodeError(
                    "E060",
                    param=name,
                    owner="the comparison",
                    constraint=f"an integer >= {low}",
                    value=value,
                )
        if self.start is not None and self.end is not None and self.start > self.end:
            raise DiplocodeError("E111", start=self.start, end=self.end, low="?", high="?")
        return self


def _code_dims(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Each code of the frame and its dimension (the crosstab's denominators)."""
    if frame.empty:
        return {}
    pairs = frame[["code", "dimension"]].drop_duplicates()
    return {str(c): [str(d)] for c, d in zip(pairs["code"], pairs["dimension"], strict=True)}


def _one_of(name: str, value: object, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise DiplocodeError(
            "E060",
            param=name,
            owner="the comparison",
            constraint=f"one of {', '.join(allowed)}",
            value=value,
        )


def check_applies(table: str, given: Iterable[str], flags: Mapping[str, str] | None = None) -> None:
    """E060 for an unknown table; E110 when an option that was given does not change
    ``table`` (``flags`` maps field names to how the interface spells them)."""
    _one_of("table", table, TABLES)
    for option in given:
        applies = APPLIES.get(option)
        if applies is not None and table not in applies:
            raise DiplocodeError(
                "E110",
                option=(flags or {}).get(option, option),
                table=table,
                applies=", ".join(applies),
            )


@dataclass
class TableResult:
    """One table, ready to render: ``frame`` (labels beside keys, integers as integers),
    its title, the legend that explains its columns, and for the models table its cells."""

    name: str
    title: str
    frame: pd.DataFrame
    legend: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] | None = None
    empty_reason: str | None = None

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready rows (NaN as None, numpy scalars as Python)."""
        return [
            {k: _plain(v) for k, v in row.items()} for row in self.frame.to_dict(orient="records")
        ]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


class Comparison:
    """The result of :func:`compare`: the counted codings and every table, computed on
    first use and kept."""

    def __init__(
        self,
        spec: Spec,
        codebook_version_id: int,
        codebook: Codebook,
        frame: pd.DataFrame,
        documents: pd.DataFrame,
        meta: dict[str, Any],
        store: Any,
    ) -> None:
        self.spec = spec
        self.codebook_version_id = codebook_version_id
        self.codebook = codebook
        self.layout: Layout = codebook.layout()
        self.frame = frame
        self.documents = documents
        self.meta = meta
        self._store = store
        self._tables: dict[str, TableResult] = {}
        lang = spec.lang
        #: the comparison's language: its notes, titles and legends are written in it
        self.gettext = translations(lang).gettext
        self.ngettext = translations(lang).ngettext
        self.labels = {c.key: c.label.get(lang) or c.label["en"] for c in codebook.codes()}
        self.dimension_labels = {
            d.key: d.label.get(lang) or d.label["en"] for d in codebook.dimensions
        }

    # -- what was counted -----------------------------------------------------------------
    @property
    def empty(self) -> bool:
        return self.frame.empty

    @functools.cached_property
    def actor_labels(self) -> dict[str, str]:
        """Each actor's canonical name -> its name in the comparison's language (the
        gazetteer's, :func:`~diplocode.attribution.gazetteer.display_names`); empty in
        English. Tables and data keep the canonical names: this is for showing them."""
        if self.spec.lang == "en" or self._store is None:
            return {}
        from ..attribution.gazetteer import display_names

        return display_names(self._store, self.spec.lang)

    def actor_label(self, name: object) -> str:
        """An actor's name in the comparison's language (its canonical name if none)."""
        return self.actor_labels.get(str(name), str(name))

    def status_label(self, status: str) -> str:
        """A coding status in the comparison's language."""
        return self.gettext(STATUS_NAMES[status]) if status in STATUS_NAMES else status

    def counted_label(self) -> str:
        """Which statuses count, said plainly (every output carries it)."""
        _ = self.gettext
        label = ", ".join(self.status_label(s) for s in self.meta["statuses"])
        if self.spec.include_suggested:
            label = _("{statuses} (includes MACHINE SUGGESTIONS not reviewed by a person)").format(
                statuses=label
            )
        return label

    def period_label(self) -> str:
        _ = self.gettext
        start, end = self.meta["period"]
        if start is None:
            return _("none (nothing counted is dated)")
        if self.meta["period_default"]:
            return _("{start}-{end} (the data's own range)").format(start=start, end=end)
        return _("{start}-{end} (chosen)").format(start=start, end=end)

    def note(self) -> str:
        """One line stating everything that decides the numbers."""
        _, ngettext = self.gettext, self.ngettext
        m = self.meta
        role = self._name(ROLE_NAMES, self.spec.actor_role)
        parts = [
            _("codebook {name} {version} (#{id}, hash {hash})").format(
                name=m["codebook"],
                version=m["codebook_version"],
                id=self.codebook_version_id,
                hash=m["codebook_hash"][:12],
            ),
            _("counted: {statuses}").format(statuses=self.counted_label()),
            (
                _("rows: actors by role '{role}' (the actor each passage is about)")
                if self.spec.actor_role == "about"
                else _("rows: actors by role '{role}'")
            ).format(role=role),
            _("unit: {unit}").format(unit=self._name(UNIT_NAMES, self.spec.unit)),
            _("period: {period}").format(period=self.period_label()),
        ]
        if n := m["outside_period"]:
            parts.append(
                ngettext(
                    "{n} coding outside the period left out",
                    "{n} codings outside the period left out",
                    n,
                ).format(n=n)
            )
        if n := m["undated_excluded"]:
            parts.append(
                ngettext("{n} undated coding left out", "{n} undated codings left out", n).format(
                    n=n
                )
            )
        if n := m.get("unattributed"):
            parts.append(
                ngettext(
                    "{n} coding about no known actor", "{n} codings about no known actor", n
                ).format(n=n)
            )
        if n := m.get("from_earlier_versions"):
            parts.append(
                ngettext(
                    "{n} coding made under earlier versions of the codebook counted through "
                    "its declared changes",
                    "{n} codings made under earlier versions of the codebook counted through "
                    "its declared changes",
                    n,
                ).format(n=n)
            )
        filters = [
            template.format(values=", ".join(values))
            for template, values in (
                (
                    _("groups {values}"),
                    [self._name(SOURCE_GROUP_NAMES, g) for g in self.spec.groups],
                ),
                (_("languages {values}"), self.spec.languages),
                (_("actors {values}"), self.spec.actors),
            )
            if values
        ]
        if filters:
            parts.append(_("only {filters}").format(filters="; ".join(filters)))
        n = m["n_codings"]
        parts.append(ngettext("{n} coding counted", "{n} codings counted", n).format(n=n))
        return "; ".join(parts) + "."

    def _name(self, names: Mapping[str, str], key: object) -> str:
        """``key``'s name from one of :mod:`diplocode.i18n`'s tables, in the comparison's
        language (a key the table lacks as it is)."""
        text = str(key)
        return self.gettext(names[text]) if text in names else text

    def _by_name(self) -> str:
        """The rows' grouping (``by``) in the comparison's language."""
        return self._name(BY_NAMES, self.spec.by)

    # -- tables ---------------------------------------------------------------------------
    def table(self, name: str) -> TableResult:
        """One table by name (:data:`TABLES`), computed once."""
        _one_of("table", name, TABLES)
        if name not in self._tables:
            self._tables[name] = getattr(self, f"_{name}")()
        return self._tables[name]

    def tables(self, names: Iterable[str] = TABLES) -> dict[str, TableResult]:
        return {n: self.table(n) for n in names}

    def _label(self, frame: pd.DataFrame, column: str = "code", to: str = "label") -> None:
        keys = frame[column].astype(str)
        frame.insert(frame.columns.get_loc(column) + 1, to, keys.map(self.labels).fillna(keys))

    def _dim_labels(self, frame: pd.DataFrame) -> None:
        if "dimension" in frame:
            keys = frame["dimension"].astype(str)
            frame["dimension"] = keys.map(self.dimension_labels).fillna(keys)

    def _no_data(self, name: str, title: str, columns: Sequence[str]) -> TableResult:
        return TableResult(
            name,
            title,
            pd.DataFrame(columns=list(columns)),
            empty_reason=self.gettext("no codings counted"),
        )

    def _models(self) -> TableResult:
        spec = self.spec
        title = self.layout.title_in(spec.lang)
        columns = [
            "actor", "column", "column_title", "rank", "code", "label", "count", "share",
            "ci_low", "ci_high", "documents", "quote", "citation", "source_id", "coding_id",
        ]  # fmt: skip
        if self.empty:
            return self._no_data("models", title, columns)
        _, cells = models_table(
            self.frame,
            self.codebook,
            self._store,
            top=spec.top,
            quotes=spec.quotes,
            lang=spec.lang,
            unit=spec.unit,
            intervals=True,
            n_boot=spec.n_boot,
            interval_table=self._intervals()["columns"],
        )
        rows = []
        for (actor, column_key), cell in cells.items():
            column = next(c for c in self.layout.columns if c.key == column_key)
            for rank, code in enumerate(cell.codes, 1):
                quotes: list[Quote | None] = [q for q in cell.quotes if q.code == code.key] or [
                    None
                ]
                for q in quotes:
                    rows.append(
                        {
                            "actor": actor,
                            "column": column_key,
                            "column_title": column.title_in(spec.lang),
                            "rank": rank,
                            "code": code.key,
                            "label": code.label,
                            "count": code.count,
                            "share": code.share,
                            "ci_low": code.ci_low,
                            "ci_high": code.ci_high,
                            "documents": code.documents,
                            "quote": q.text if q else None,
                            "citation": q.citation() if q else None,
                            "source_id": q.source_id if q else None,
                            "coding_id": q.coding_id if q else None,
                        }
                    )
        frame = pd.DataFrame(rows, columns=columns)
        for col in ("source_id", "coding_id"):
            frame[col] = frame[col].astype("Int64")
        _ = self.gettext
        legend = [
            (
                _("Rows: actors ({role}); columns: {columns} (from the codebook's tables: section).")
                if self.layout.declared
                else _("Rows: actors ({role}); columns: {columns} (from the codebook's tables: section; this codebook declares none, so one column per dimension).")
            ).format(
                role=self._role_phrase(),
                columns=", ".join(c.title_in(spec.lang) for c in self.layout.columns),
            ),
            self._per_unit(
                _("count: coded passages of the actor with the code; share: of the actor's coded passages in the column."),
                _("count: coded documents of the actor with the code; share: of the actor's coded documents in the column."),
            ),
            _(_CI_NOTE),
            _("Quotes: per code, the most typical passage (reviewed before unreviewed, more coders agreeing, higher score), never a heading, never repeated in a row, distinct sources where possible."),
        ]  # fmt: skip
        return TableResult("models", title, frame, legend, cells)

    def _counts(self) -> pd.DataFrame:
        """The crosstab's counts and shares by the spec's grouping (computed once: the
        crosstab and the overlap zones both read it)."""
        if "_counts_cache" not in self.__dict__:
            self.__dict__["_counts_cache"] = stats.crosstab(
                self._by_frame(), by=self.spec.by, unit=self.spec.unit
            )
        return self.__dict__["_counts_cache"]

    def _intervals(self) -> dict[str, pd.DataFrame]:
        """The bootstrap intervals of the actors' shares, within dimensions (crosstab) and
        within Table 2's columns, from one set of replicates (computed once)."""
        if "_interval_cache" not in self.__dict__:
            self.__dict__["_interval_cache"] = stats.bootstrap_shares(
                self.frame,
                {"dimension": _code_dims(self.frame), "columns": column_mapping(self.layout)},
                by="actor",
                unit=self.spec.unit,
                n_boot=self.spec.n_boot,
            )
        return self.__dict__["_interval_cache"]

    def _role_phrase(self) -> str:
        _ = self.gettext
        return {
            "about": _("the actor each passage is about"),
            "author": _("the sources' authors and co-signatories"),
            "subject": _("the sources' subject actors"),
        }[self.spec.actor_role]

    def _per_unit(self, passages: str, documents: str) -> str:
        """The sentence for the spec's unit: one about passages, one about documents (a
        whole sentence each, so translations can decline the word)."""
        return passages if self.spec.unit == "segment" else documents

    def _crosstab(self) -> TableResult:
        spec = self.spec
        by = spec.by
        columns = [by, "dimension", "code", "label", "count", "share", "ci_low", "ci_high", "documents", "n_documents", "doc_share"]  # fmt: skip
        _ = self.gettext
        title = _("Codes by {by}").format(by=self._by_name())
        if self.empty:
            return self._no_data("crosstab", title, columns)
        frame = self._by_frame()
        table = self._counts()
        if by == "actor":
            boot = self._intervals()["dimension"]
        else:
            boot = stats.bootstrap_shares(
                frame, {"dimension": _code_dims(frame)}, by=by, unit=spec.unit, n_boot=spec.n_boot
            )["dimension"]
        boot = boot.reset_index().drop(columns=["dimension"]).set_index([by, "code"])
        table = table.join(boot[["ci_low", "ci_high"]]).reset_index()
        single = table["n_documents"] < 2  # one document resampled is that document
        table.loc[single, ["ci_low", "ci_high"]] = np.nan
        table["count"] = table["count"].astype(np.int64)
        table["documents"] = table["documents"].astype(np.int64)
        table["n_documents"] = table["n_documents"].astype(np.int64)
        self._label(table)
        self._dim_labels(table)
        legend = [
            self._per_unit(
                _("count: coded passages with the code; share: of the {by}'s coded passages in the code's dimension (shares of one dimension sum to 1)."),
                _("count: coded documents with the code; share: of the {by}'s coded documents in the code's dimension (shares of one dimension sum to 1)."),
            ).format(by=self._by_name()),
            _(_CI_NOTE),
            _("documents: documents of the row with the code; n_documents: the row's coded documents; doc_share = documents / n_documents."),
        ]  # fmt: skip
        return TableResult("crosstab", title, table[columns], legend)

    def _by_frame(self) -> pd.DataFrame:
        if self.spec.by != "year":
            return self.frame
        return self.frame[self.frame["year"].notna().to_numpy()]

    def _distinctive(self) -> TableResult:
        spec = self.spec
        by = spec.by
        _ = self.gettext
        title = _("Distinctive codes by {by}").format(by=self._by_name())
        columns = [by, "code", "label", "count", "delta", "z", "p", "q", "significant"]
        if self.empty:
            return self._no_data("distinctive", title, columns)
        table = stats.log_odds(self._by_frame(), by=by, unit=spec.unit).reset_index()
        table = table.sort_values("z", ascending=False, ignore_index=True)
        table["count"] = table["count"].astype(np.int64)
        self._label(table)
        present = [c for c in columns if c in table.columns]
        legend = [
            _("delta: weighted log-odds ratio of the code for the row against all other rows, with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008); z = delta / sd."),
            _("p: two-sided p-value of z; q: Benjamini-Hochberg adjusted over every test in this table (the many row x code comparisons); significant: q < 0.05."),
        ]  # fmt: skip
        return TableResult("distinctive", title, table[present], legend)

    def _overlap(self) -> TableResult:
        spec = self.spec
        _ = self.gettext
        title = _("Zones of overlap by {by}").format(by=self._by_name())
        if self.empty:
            return self._no_data("overlap", title, ["dimension", "code", "label", "groups", "n_groups", "min_share", "measure"])  # fmt: skip
        table = stats.overlap_zones(self._counts(), by=spec.by)
        table = table.copy()
        if "groups" in table and len(table) and not isinstance(table["groups"].iloc[0], str):
            table["groups"] = table["groups"].map(lambda g: "; ".join(map(str, g)))
        self._label(table)
        self._dim_labels(table)
        legend = [
            _("A code is salient for a {by} when its share is at least 1/k of its dimension (k = the dimension's codes seen); listed when salient for two or more.").format(by=self._by_name())
        ]  # fmt: skip
        return TableResult("overlap", title, table, legend)

    def _trends(self) -> TableResult:
        spec = self.spec
        _ = self.gettext
        title = _("Trends by year ({normalise})").format(
            normalise=self._name(NORMALISE_NAMES, spec.normalise)
        )
        start, end = self.meta["period"]
        if self.empty or start is None:
            return self._no_data("trends", title, ["year", spec.by, "dimension", "code", "label", "count", "value"])  # fmt: skip
        by = None if spec.by == "year" else spec.by
        documents = self.documents
        if by is not None and by not in documents.columns:
            documents = None  # no denominators for this grouping
        try:
            table = stats.trends(
                self.frame,
                start=start,
                end=end,
                by=by,
                unit=spec.unit,
                normalise=spec.normalise,
                documents=documents,
            )
        except ValueError as e:
            raise DiplocodeError(
                "E060",
                param="normalise",
                owner="the trends table",
                constraint=f"one of {', '.join(NORMALISE)} with document counts",
                value=f"{spec.normalise} ({e})",
            ) from None
        table = table.copy()
        self._label(table)
        self._dim_labels(table)
        legend = [
            {
                "count": self._per_unit(
                    _("value: coded passages per year."),
                    _("value: coded documents per year."),
                ),
                "per_document": self._per_unit(
                    _("value: coded passages per document of the row in that year."),
                    _("value: coded documents per document of the row in that year."),
                ),
                "per_10k_words": self._per_unit(
                    _("value: coded passages per 10,000 words of the row's documents in that year."),
                    _("value: coded documents per 10,000 words of the row's documents in that year."),
                ),
            }[spec.normalise],
            _("Years in which the row has no document are gaps (empty), not zeros."),
        ]  # fmt: skip
        return TableResult("trends", title, table, legend)

    def _triangulation(self) -> TableResult:
        spec = self.spec
        _ = self.gettext
        title = _("Triangulation across source groups, by {by}").format(by=self._by_name())
        if self.empty:
            return self._no_data("triangulation", title, [spec.by, "groups", "jsd", "n_a", "n_b", "drivers"])  # fmt: skip
        table = stats.triangulation(self._by_frame(), by=spec.by, unit=spec.unit).copy()
        legend = [
            _("jsd: Jensen-Shannon divergence (base 2, 0 = same distribution of codes, 1 = disjoint) between two source groups of the row; drivers: the codes whose shares differ most.")
        ]  # fmt: skip
        return TableResult("triangulation", title, table, legend)

    def _cooccurrence(self) -> TableResult:
        _ = self.gettext
        title = _("Codes on the same passage")
        if self.empty:
            return self._no_data("cooccurrence", title, ["code_a", "label_a", "code_b", "label_b", "count", "jaccard"])  # fmt: skip
        table = stats.cooccurrence(self.frame).copy()
        self._label(table, "code_a", "label_a")
        self._label(table, "code_b", "label_b")
        table["count"] = table["count"].astype(np.int64)
        legend = [_("count: passages coded with both; jaccard: both / either.")]
        return TableResult("cooccurrence", title, table, legend)

    def _operationalisation(self) -> TableResult:
        _ = self.gettext
        table = operationalisation_table(self.codebook, self.spec.lang)
        return TableResult(
            "operationalisation",
            _("Operationalisation of the indicators"),
            table,
            [_("From the codebook: each dimension's indicator, question and codes.")],
        )


def compare(project: Any, spec: Spec | None = None, *, who: str = "system") -> Comparison:
    """Load the codings ``spec`` counts and return the :class:`Comparison`.

    Attribution is brought up to date first (:func:`diplocode.attribution.ensure_attributed`).
    A period with no counted codings in it is an error (E112) that says where the data
    lie; no counted codings at all is a stated empty result.
    """
    from ..attribution import attribution_state, ensure_attributed

    spec = (spec or Spec()).validate(project.languages)
    ensure_attributed(project.store, who)
    version_id, codebook = project.codebook(spec.codebook)
    with project.store.read() as conn:
        counted = counted_codes(conn, version_id)  # its codes and its earlier versions'
        carried = carried_over(conn, version_id)
    frame = codings_frame(
        project.store,
        include_suggested=spec.include_suggested,
        codebook_version_id=version_id,
        actor_role=spec.actor_role,
    )
    n_attributed = int(frame["coding_id"].nunique()) if not frame.empty else 0
    from_earlier = int(frame.attrs.get("from_earlier_versions", 0))
    documents = documents_frame(project.store, actor_role=spec.actor_role, frame=frame)
    frame, documents, filtered = _filter(project, frame, documents, spec)
    if spec.by.startswith("attribute:"):
        frame, documents = _with_attribute(project, frame, documents, spec.by)
    years = frame["year"] if not frame.empty else pd.Series([], dtype="Int64")
    dated = years.notna().to_numpy(dtype=bool) if len(years) else np.zeros(0, dtype=bool)
    low = int(years[dated].min()) if dated.any() else None
    high = int(years[dated].max()) if dated.any() else None
    n_before = int(frame["coding_id"].nunique()) if not frame.empty else 0
    outside = undated = 0
    explicit = spec.start is not None or spec.end is not None
    if explicit and not frame.empty:
        start = spec.start if spec.start is not None else low
        end = spec.end if spec.end is not None else high
        if start is not None and end is not None and start > end:
            raise DiplocodeError("E111", start=start, end=end, low=low, high=high)
        inside = (
            ((years >= start) & (years <= end)).to_numpy(dtype=bool, na_value=False)
            if start is not None and end is not None
            else np.zeros(len(frame), dtype=bool)
        )
        ids = frame["coding_id"].to_numpy()
        outside = len(np.unique(ids[dated & ~inside]))
        undated = len(np.unique(ids[~dated]))
        if not inside.any():
            raise DiplocodeError(
                "E112",
                start=start,
                end=end,
                n=n_before,
                low=low if low is not None else "?",
                high=high if high is not None else "?",
                undated=f", {undated} undated" if undated else "",
            )
        frame = frame[inside]
        documents = documents[
            ((documents["year"] >= start) & (documents["year"] <= end)).to_numpy(
                dtype=bool, na_value=False
            )
        ]
        period = (start, end)
    else:
        period = (low, high)
    with project.store.read() as conn:
        used = (
            conn.execute(
                select(coders.c.id, coders.c.name, coders.c.version, coders.c.kind)
                .where(
                    coders.c.id.in_(
                        select(codings.c.coder_id).where(
                            codings.c.code_id.in_(list(counted)),
                            codings.c.status.in_(list(frame.attrs.get("statuses", []))),
                        )
                    )
                )
                .order_by(coders.c.id)
            )
            .mappings()
            .all()
        )
        n_sources = int(conn.execute(select(func.count()).select_from(sources)).scalar() or 0)
    state = attribution_state(project.store) or {}
    meta = {
        "codebook": codebook.name,
        "codebook_version": codebook.version,
        "codebook_hash": codebook.content_hash(),
        "codebook_version_id": version_id,
        "statuses": list(frame.attrs.get("statuses", [])),
        "include_suggested": spec.include_suggested,
        "actor_role": spec.actor_role,
        "unit": spec.unit,
        "period": period,
        "period_default": not explicit,
        "data_range": (low, high),
        "outside_period": outside,
        "undated_excluded": undated,
        "undated_included": 0
        if explicit
        else len(np.unique(frame["coding_id"].to_numpy()[~dated]))
        if not frame.empty
        else 0,
        "n_codings": int(frame["coding_id"].nunique()) if not frame.empty else 0,
        "n_sources": n_sources,
        "filtered_out": filtered,
        "coders": [dict(c) for c in used],
        "attribution": state,
        "unattributed": _unattributed(project, spec, counted, n_attributed),
        "from_earlier_versions": from_earlier,
        "codebook_changes": carried,
    }
    frame.attrs.update(statuses=meta["statuses"], include_suggested=spec.include_suggested)
    return Comparison(spec, version_id, codebook, frame, documents, meta, project.store)


def _unattributed(project: Any, spec: Spec, counted: dict[int, int], n_attributed: int) -> int:
    """Counted codings that count for no actor under the spec's role: all counted codings
    less those the frame holds (one count, no anti-join)."""
    if spec.actor_role != "about":
        return 0
    statuses = ["final", "accepted", *(["suggested"] if spec.include_suggested else [])]
    with project.store.read() as conn:
        total = int(
            conn.execute(
                select(func.count())
                .select_from(codings)
                .where(
                    codings.c.code_id.in_(list(counted)),
                    codings.c.status.in_(statuses),
                )
            ).scalar()
            or 0
        )
    return max(total - n_attributed, 0)


def _filter(
    project: Any, frame: pd.DataFrame, documents: pd.DataFrame, spec: Spec
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Apply the spec's group, language and actor filters to both frames."""
    if frame.empty or not (spec.groups or spec.languages or spec.actors or spec.attributes):
        return frame, documents, 0
    keep = np.ones(len(frame), dtype=bool)
    keep_docs = np.ones(len(documents), dtype=bool)
    if spec.attributes:
        from ..store.sources import SourceFilter

        flt = SourceFilter(attributes=spec.attributes)
        with project.store.read() as conn:
            flt.validate(conn=conn)
            allowed = list(conn.execute(select(sources.c.id).where(*flt.where())).scalars())
        keep &= frame["source_id"].isin(allowed).to_numpy()
        keep_docs &= documents["source_id"].isin(allowed).to_numpy()
    if spec.groups:
        keep &= frame["group"].isin(spec.groups).to_numpy()
        keep_docs &= documents["group"].isin(spec.groups).to_numpy()
    if spec.languages:
        keep &= frame["language"].isin(spec.languages).to_numpy()
        keep_docs &= documents["language"].isin(spec.languages).to_numpy()
    if spec.actors:
        names = resolve_actor_names(project, spec.actors)
        keep &= frame["actor"].isin(names).to_numpy()
        keep_docs &= documents["actor"].isin(names).to_numpy()
    before = frame["coding_id"].nunique()
    out = frame[keep]
    out.attrs.update(frame.attrs)
    return out, documents[keep_docs], int(before - out["coding_id"].nunique())


def _with_attribute(
    project: Any, frame: pd.DataFrame, documents: pd.DataFrame, by: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames with a column ``by`` (``attribute:KEY``): each source's value of the
    custom attribute KEY, "(none)" where it has none (E060 for a key no source has)."""
    from ..store.sources import check_attributes

    key = by[len("attribute:") :].strip()
    with project.store.read() as conn:
        check_attributes(conn, [key], "by")
        values = {
            int(i): (e or {}).get(key)
            for i, e in conn.execute(select(sources.c.id, sources.c.extra))
        }

    def column(ids: pd.Series) -> pd.Categorical:
        got = [v if isinstance(v, str) and v.strip() else "(none)" for v in map(values.get, ids)]
        return pd.Categorical(got, categories=sorted(set(got)))

    frame = frame.copy()
    frame[by] = column(frame["source_id"]) if not frame.empty else pd.Series([], dtype=object)
    documents = documents.copy()
    if not documents.empty:
        documents[by] = column(documents["source_id"])
    return frame, documents


def resolve_actor_names(project: Any, refs: Sequence[str]) -> list[str]:
    """Canonical actor names for names, keys or gazetteer names a user gave (E103 with
    close matches for an unknown one)."""
    from ..attribution import gazetteer as gz
    from ..store.schema import actors

    out = []
    with project.store.read() as conn:
        for ref in refs:
            actor_id = gz.find_actor(conn, ref)  # E103 with close matches
            out.append(
                conn.execute(select(actors.c.name).where(actors.c.id == actor_id)).scalar_one()
            )
    return out


def with_defaults(spec: Spec, **changes: Any) -> Spec:
    """A copy of ``spec`` with fields changed (validated)."""
    return replace(spec, **changes).validate()
