"""Chinese: jieba word segmentation (its bundled dictionary; nothing is downloaded)."""

from __future__ import annotations

import logging

from ..analysis import Analyzer, ChineseAnalyzer


def make() -> Analyzer:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading otherwise
    return ChineseAnalyzer()
