"""The contract every automatic coder follows (scikit-learn style).

* ``__init__`` stores parameters only (no work, no validation);
* ``fit(segments, codings) -> self`` learns (or compiles) state, in attributes ending in ``_``;
* ``predict(segments) -> list[Suggestion]`` with a score and the evidence for each;
* ``get_params()`` is the exact record of a run's configuration (stored with the coder row).

Each coder class has ``name`` (registry name, e.g. ``diplocode.lexicon.v1``), ``kind``
(lexicon, classifier, embedding, llm) and ``version``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Segment:
    """A unit to code: its span in the source and its own text."""

    id: int | None
    source_id: int
    start: int
    end: int
    language: str | None
    text: str


@dataclass(frozen=True)
class Suggestion:
    """A machine suggestion: a code for a span, with a score and the evidence behind it."""

    segment_id: int | None
    source_id: int
    start: int
    end: int
    code: str
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)


class Coder(Protocol):
    name: str
    kind: str
    version: str

    def get_params(self) -> dict[str, Any]: ...

    def fit(self, segments: Any = None, codings: Any = None) -> Coder: ...

    def predict(self, segments: list[Segment]) -> list[Suggestion]: ...
