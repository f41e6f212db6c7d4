"""Automatic coders under one contract (see :mod:`diplocode.coders.base`), by registry name."""

from __future__ import annotations

from typing import Any

from ..errors import DiplocodeError
from .base import Coder, Segment, Suggestion
from .lexicon import LexiconCoder

#: registry name -> coder class; short aliases for the command line
REGISTRY: dict[str, Any] = {LexiconCoder.name: LexiconCoder}
ALIASES = {"lexicon": LexiconCoder.name}

__all__ = ["ALIASES", "REGISTRY", "Coder", "LexiconCoder", "Segment", "Suggestion", "get"]


def get(name: str) -> Any:
    """The coder class registered under ``name`` (or a short alias such as ``lexicon``)."""
    full = ALIASES.get(name, name)
    if full not in REGISTRY:
        raise DiplocodeError(
            "E060",
            param="coder",
            owner="diplocode code",
            constraint=f"one of {', '.join([*ALIASES, *REGISTRY])}",
            value=name,
        )
    return REGISTRY[full]
