"""Source metadata: parsing and validating what users write on the command line or in
manifests. Every error names where the bad value came from and lists what is allowed.

>>> parse_date("2015-09", where="--date")
(2015, 9, None)
>>> parse_actors("China; Kazakhstan:co-signatory", where="--actor")
[('China', 'author'), ('Kazakhstan', 'co-signatory')]
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date as _date

from ..errors import DiplocodeError
from ..store.schema import ACTOR_ROLES, SOURCE_GROUPS

_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


@dataclass(frozen=True)
class SourceMeta:
    """What a user says about one source. ``None`` means 'not said'."""

    title: str | None = None
    actors: tuple[tuple[str, str], ...] = ()
    group: str | None = None
    date: tuple[int | None, int | None, int | None] = (None, None, None)
    language: str | None = None
    url: str | None = None
    publisher: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def over(self, defaults: SourceMeta) -> SourceMeta:
        """This metadata, with gaps filled from ``defaults`` (e.g. command-line flags)."""
        return replace(
            self,
            title=self.title or defaults.title,
            actors=self.actors or defaults.actors,
            group=self.group or defaults.group,
            date=self.date if self.date[0] is not None else defaults.date,
            language=self.language or defaults.language,
            url=self.url or defaults.url,
            publisher=self.publisher or defaults.publisher,
            extra={**defaults.extra, **self.extra},
        )


def parse_date(value: str | int | None, where: str) -> tuple[int | None, int | None, int | None]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> (year, month, day) keeping the precision."""
    if value is None or str(value).strip() == "":
        return (None, None, None)
    match = _DATE.match(str(value))
    if not match:
        raise DiplocodeError(
            "E023", where=where, value=str(value), detail="not YYYY, YYYY-MM or YYYY-MM-DD"
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise DiplocodeError(
            "E023", where=where, value=str(value), detail=f"month {month} is not 1-12"
        )
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DiplocodeError(
                "E023", where=where, value=str(value), detail=f"day {day} is not 1-{last}"
            )
    today = _date.today()
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        raise DiplocodeError(
            "E023",
            where=where,
            value=str(value),
            detail=f"it is in the future (today is {today.isoformat()})",
        )
    return (year, month, day)


def parse_actors(value: str | Iterable[str] | None, where: str) -> tuple[tuple[str, str], ...]:
    """``NAME[:ROLE]`` items, separated by ``;`` (or given as a list); role defaults to author."""
    if value is None:
        return ()
    items = (
        value.split(";")
        if isinstance(value, str)
        else [p for v in value for p in str(v).split(";")]
    )
    out: list[tuple[str, str]] = []
    for item in items:
        if not item.strip():
            continue
        name, _, role = item.partition(":")
        name, role = name.strip(), (role.strip().lower() or "author")
        if not name:
            raise DiplocodeError("E027", where=where)
        if role not in ACTOR_ROLES:
            raise DiplocodeError("E026", where=where, value=role, allowed=", ".join(ACTOR_ROLES))
        if (name, role) not in out:
            out.append((name, role))
    return tuple(out)


def check_group(value: str | None, where: str) -> str | None:
    if value is None or not value.strip():
        return None
    group = value.strip().lower()
    if group not in SOURCE_GROUPS:
        raise DiplocodeError("E025", where=where, value=value, allowed=", ".join(SOURCE_GROUPS))
    return group


def check_language(value: str | None, where: str, allowed: Iterable[str]) -> str | None:
    if value is None or not value.strip():
        return None
    lang = value.strip().lower()
    allowed = list(allowed)
    if lang not in allowed:
        raise DiplocodeError("E024", where=where, value=value, allowed=", ".join(allowed))
    return lang


def actor_key(name: str) -> str:
    """A stable key for an actor name: case-folded, spaces and punctuation as ``-``.

    >>> actor_key("United States")
    'united-states'
    >>> actor_key("Қазақстан")
    'қазақстан'
    """
    return re.sub(r"[\W_]+", "-", name.casefold()).strip("-")


def build(
    *,
    locate: Callable[[str], str],
    languages: Iterable[str],
    title: str | None = None,
    actors: str | Iterable[str] | None = None,
    group: str | None = None,
    date: str | int | None = None,
    language: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
    extra: dict[str, str] | None = None,
) -> SourceMeta:
    """Validate raw values into a :class:`SourceMeta`.

    ``locate`` turns a field name (``actors``, ``group``, ``date``, ``lang``) into the place
    errors should name: a command-line flag or a manifest's row and column.
    """
    return SourceMeta(
        title=(title or "").strip() or None,
        actors=parse_actors(actors, locate("actors")),
        group=check_group(group, locate("group")),
        date=parse_date(date, locate("date")),
        language=check_language(language, locate("lang"), languages),
        url=(url or "").strip() or None,
        publisher=(publisher or "").strip() or None,
        extra=dict(extra or {}),
    )
