"""Who a passage is about: the actor gazetteer and the resolver that attributes codings.

The article groups its sources by the actor *studied*: an analytical paper by a Kazakh
author about China's Confucius Institutes is evidence about China. So every coding
carries the actor(s) its passage is about, decided by the first rule that applies
(:data:`RULES`):

1. ``clause`` — when the sentence names several actors, those named in the clause(s)
   holding the coding's evidence (clauses break at semicolons, colons, dashes and a comma
   before a contrastive conjunction: "China builds roads, while Russia keeps the
   language" credits "roads" to China alone);
2. ``sentence`` — else an actor named in the sentence(s) holding the coded span;
3. ``paragraph`` — else an actor named in its paragraph;
4. ``subject`` — else the source's ``subject`` actors;
5. ``author`` — else its authors (``author`` and ``co-signatory``).

"Named" means any name of the project's gazetteer (:mod:`.gazetteer`): names, short names,
adjectives, capitals used as metonyms, leaders and institutions that stand for an actor,
in English, Russian, Kazakh and Chinese, matched through the language layer like
codebook lexicons, so inflected forms count (Қытайдың, Китаем, 中方). The rule and the
mention are stored with each coding (``coding_actors``) as evidence.

Every write path attributes in the same transaction as the coding it writes
(:func:`attribute_codings`); :func:`ensure_attributed` brings a project up to date when
the gazetteer or the resolver changed (or after the schema upgrade that introduced
attribution), one transaction per source.
"""

from __future__ import annotations

from .resolver import (
    RESOLVER,
    RULES,
    AttributionSummary,
    attribute_codings,
    attribution_state,
    ensure_attributed,
    reattribute,
    seed_if_new,
)

__all__ = [
    "RESOLVER",
    "RULES",
    "AttributionSummary",
    "attribute_codings",
    "attribution_state",
    "ensure_attributed",
    "reattribute",
    "seed_if_new",
]
