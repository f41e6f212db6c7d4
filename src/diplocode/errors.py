"""The coded error catalogue.

Every error a user can meet has a stable code (``E001`` ...) and a message that says
*what* happened, *where* (file, row, column) and *how to fix it*. Library code raises
:class:`DiplocodeError` with a code from :data:`CATALOGUE`; interfaces print
``str(error)``.

>>> err = DiplocodeError("E001", path="notes.txt")
>>> str(err).startswith("[E001]")
True
>>> err.code
'E001'

The templates are English. Their Russian and Kazakh translations live in the gettext
domain ``errors`` (the web workbench's ``locale/{ru,kk}/LC_MESSAGES/errors.po``, made by
``scripts/extract_messages.py``); :func:`localized` fills a translation given any
``gettext`` callable, so this module does not depend on where the catalogues are.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

#: code -> (what happened, how to fix). Both are ``str.format`` templates.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- input files -----------------------------------------------------------------------
    "E001": (
        "'{path}' is empty (0 bytes of content).",
        "Check the file was saved or exported fully, then add it again.",
    ),
    "E002": (
        "'{path}' is {size_mb:.1f} MB, over the {limit_mb:.1f} MB limit for one file.",
        "Split the file, or raise the limit with --max-file-mb (or DIPLOCODE_MAX_FILE_MB).",
    ),
    "E003": (
        "'{path}' has the extension '{ext}', which diplocode cannot read.",
        "Convert it to one of: {allowed}; or rename it if the extension is wrong.",
    ),
    "E004": (
        "'{path}' could not be decoded as text: {detail}.",
        "Re-save it as UTF-8 (any editor's 'Save as... UTF-8'), or pass the right encoding with --encoding.",
    ),
    "E005": (
        "'{path}' is not a readable PDF: {detail}.",
        "Open it in a PDF viewer to check it; re-export or re-download it if it is damaged.",
    ),
    "E006": (
        "'{path}' is an encrypted (password-protected) PDF.",
        "Remove the password (e.g. print to a new PDF with the password known) and add it again.",
    ),
    "E007": (
        "'{path}' is not a readable {kind} file (damaged or truncated archive): {detail}.",
        "Open and re-save it in a word processor, or re-download it.",
    ),
    "E008": (
        "'{path}' expands to {expanded_mb:.1f} MB (ratio {ratio:.0f}:1), which looks like a zip bomb; limit {limit_mb:.1f} MB.",
        "If the document is genuine, raise the limit with --max-file-mb; otherwise do not open it.",
    ),
    "E009": (
        "No text could be extracted from '{path}'{detail}.",
        "If it is a scanned document, run OCR on it first (e.g. ocrmypdf) and add the OCR'd file.",
    ),
    "E010": ("'{path}' does not exist.", "Check the path (relative paths are taken from {base})."),
    "E011": (
        "'{path}' looks like binary data, not text ({detail}).",
        "Check the extension matches the content; convert the file to TXT, PDF, DOCX, ODT or HTML.",
    ),
    # --- manifests and metadata ------------------------------------------------------------
    "E021": (
        "Manifest {manifest}, row {row}: the file '{path}' does not exist.",
        "Fix the 'path' column; relative paths are taken from the manifest's folder ({base}).",
    ),
    "E022": (
        "Manifest {manifest} cannot be read: {detail}.",
        "A manifest is a CSV file with a header row, or a YAML list of mappings; the 'path' column is required.",
    ),
    "E023": (
        "{where}: the date {value!r} is not valid ({detail}).",
        "Write dates as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2015, 2015-09, 2015-09-28.",
    ),
    "E024": (
        "{where}: the language {value!r} is not configured.",
        "Use one of: {allowed} (ISO 639-1 codes); or add it to the project's languages.",
    ),
    "E025": (
        "{where}: the source group {value!r} is not known.",
        "Use one of: {allowed}.",
    ),
    "E026": (
        "{where}: the actor role {value!r} is not known.",
        "Write actors as NAME or NAME:ROLE with ROLE one of: {allowed}.",
    ),
    "E027": (
        "{where}: the actor name is empty.",
        "Write actors as NAME or NAME:ROLE, several separated by ';'.",
    ),
    # --- projects and store ----------------------------------------------------------------
    "E040": (
        "No diplocode project at '{where}'.",
        "Create one with 'diplocode init {where}', or pass --project PATH.",
    ),
    "E041": ("A project already exists at '{where}'.", "Use it as it is, or choose another path."),
    "E042": (
        "'{where}' is not a diplocode project ({detail}).",
        "Pass the path of a project created with 'diplocode init'.",
    ),
    "E043": (
        "The project at '{where}' was made by a newer diplocode (schema {found}, this version knows {known}).",
        "Upgrade diplocode: pip install -U diplocode.",
    ),
    "E044": (
        "The project at '{where}' needs a schema upgrade ({found} -> {known}) and no backup could be taken: {detail}.",
        "Back the database up yourself, then run 'diplocode db upgrade --no-backup'.",
    ),
    "E045": (
        "No project given.",
        "Pass --project PATH (or set DIPLOCODE_PROJECT), or run the command in a folder holding diplocode.db.",
    ),
    "E046": (
        "The database URL '{where}' is not supported.",
        "Use a file path (SQLite) or postgresql://user@host/dbname (install diplocode[postgres]).",
    ),
    # --- sources ---------------------------------------------------------------------------
    "E050": (
        "No source matches '{ref}'.",
        "List sources with 'diplocode sources'; refer to one by its number or SHA-256 prefix.",
    ),
    "E051": (
        "'{ref}' matches {n} sources.",
        "Give more characters of the SHA-256, or the source number.",
    ),
    "E052": ("The source filter {name}={value!r} is not valid.", "{detail}"),
    # --- codebooks ----------------------------------------------------------------------
    "E070": (
        "Codebook {path}, line {line}, at {key}: {detail}.",
        "Fix that entry; 'diplocode codebook validate FILE' checks a codebook without importing it.",
    ),
    "E071": (
        "Codebook {path}, line {line}: the file cannot be parsed ({detail}).",
        "A codebook is YAML or JSON: a mapping with 'name', 'version' and 'dimensions' (see 'diplocode codebook export').",
    ),
    "E072": (
        "No codebook version matches '{ref}'.",
        "List versions with 'diplocode codebook list'; refer to one by its number, name@version or hash prefix.",
    ),
    "E073": (
        "There is no built-in codebook named '{name}'.",
        "Built-in codebooks: {allowed}; or pass the path of a YAML/JSON codebook.",
    ),
    "E074": (
        "The project has no codebook yet.",
        "Import one: 'diplocode codebook import cultural-diplomacy' (the built-in) or 'diplocode codebook import FILE'.",
    ),
    "E075": (
        "The new version of codebook '{name}' drops {keys} of version {parent} without saying what became of them.",
        "Keep the code, or declare it under 'changes:' in the YAML (renamed: {{old: new}}, merged: {{old: into}}, split: {{old: [a, b]}} or deleted: [old]); see docs/codebook.md, 'Versions'.",
    ),
    "E076": (
        "The 'changes:' of the new version of codebook '{name}' name {keys}, which version {parent} does not have.",
        "Declare changes relative to the newest version, {parent} ('diplocode codebook show' lists its codes); an exported codebook carries no 'changes:'.",
    ),
    "E077": (
        "Code '{key}' has {n} coding(s); deleting it would drop them from every comparison.",
        "Merge it into another code instead (the editor's Merge, or 'merged: {{{key}: OTHER}}' under 'changes:'), or delete its codings first.",
    ),
    "E078": (
        "Codebook '{name}' already has a code '{key}'.",
        "Choose another key (lower-case letters, digits, '_' and '.'), or edit the existing code.",
    ),
    "E079": (
        "Codebook '{name}' has no dimension '{key}'.",
        "Use one of its dimensions: {allowed}.",
    ),
    # --- users, sessions and the web workbench ---------------------------------------------
    "E080": (
        "There is no user named '{username}'.",
        "List users with 'diplocode user list'; add one with 'diplocode user add NAME --role coder'.",
    ),
    "E081": (
        "A user named '{username}' already exists.",
        "Pick another name, or change that user's role with 'diplocode user role {username} ROLE'.",
    ),
    "E082": (
        "Wrong user name or password.",
        "Check both and try again; an owner can set a new password with 'diplocode user password NAME'.",
    ),
    "E083": (
        "Too many failed logins for '{username}' from this address.",
        "Wait {wait} seconds, then try again.",
    ),
    "E084": (
        "Your role ({role}) does not allow {action}.",
        "Ask a project owner to change your role ('diplocode user role NAME coder').",
    ),
    "E085": (
        "The form's security token is missing or out of date.",
        "Reload the page and submit again.",
    ),
    "E086": (
        "Coding #{coding_id} was already {status} by {who}.",
        "Reload: the review queue shows only suggestions nobody has reviewed yet.",
    ),
    "E087": (
        "A password must have at least {min_length} characters.",
        "Choose a longer one; a phrase of several words is easy to remember.",
    ),
    "E088": (
        "You are not logged in, or your session has expired.",
        "Log in again.",
    ),
    "E089": (
        "No {what} #{ref} here.",
        "Go back to the list and pick one that exists.",
    ),
    "E090": (
        "{who} already coded characters {start}-{end} of source #{source_id} with '{code_key}'.",
        "Nothing was added: the earlier coding stands. Pick another code or passage.",
    ),
    "E091": (
        "Memo #{memo_id} was written by someone else; only its author can change or delete it.",
        "Write a memo of your own that answers it instead.",
    ),
    "E092": (
        "Port {port} on {host} is in use by another program.",
        "Stop that program or choose another port with --port.",
    ),
    # --- parameters ------------------------------------------------------------------------
    "E060": (
        "The '{param}' parameter of {owner} must be {constraint}. Got {value!r} instead.",
        "Pass a value that is {constraint}.",
    ),
    # --- actors and attribution (diplocode.attribution) ---------------------------------------
    "E100": (
        "{where}: '{name}' is not a known actor, but it looks like {matches}.",
        "Write the known name (or add '{name}' as a name of that actor with 'diplocode actors name'); if it really is another actor, confirm it with --new-actor '{name}'.",
    ),
    "E101": (
        "Gazetteer {where}: {detail}.",
        "Correct the entry: names are lexicon entries (dictionary forms, 'stem*', 're:...') per language; see docs/attribution.md.",
    ),
    "E102": (
        "There is already an actor with the key '{key}'.",
        "Add a name to that actor instead ('diplocode actors name KEY NAME --lang LANG'), or choose another key with --key.",
    ),
    "E103": (
        "No actor '{ref}' in this project.",
        "Use a key or name that 'diplocode actors list' shows{hint}.",
    ),
    # --- comparison (diplocode.analysis.compare) --------------------------------------------------
    "E110": (
        "{option} does not apply to the '{table}' table.",
        "Drop {option}; it applies to: {applies}.",
    ),
    "E111": (
        "The period {start}-{end} is empty: the first year comes after the last.",
        "Give --from a year before or equal to --to (the data run from {low} to {high}).",
    ),
    "E112": (
        "No codings fall in the period {start}-{end}: the {n} counted codings are dated {low}-{high}{undated}.",
        "Widen the period (or drop --from/--to to use the data's own range).",
    ),
    # --- filters (store.sources.SourceFilter, workbench.ReviewFilter) ---------------------------
    "E120": (
        "{where}: the period {start}-{end} is empty: the first year comes after the last.",
        "Give a first year before or equal to the last one, or leave one of them out.",
    ),
    "E121": (
        "{where}: the score range {low}-{high} is empty: the lowest score is above the highest.",
        "Give a lowest score below or equal to the highest (both between 0 and 1), or leave one of them out.",
    ),
    # --- code and retrieve (diplocode.retrieve) ----------------------------------------------
    "E210": (
        "The codebook {codebook} has no code {key!r}; the closest is {match!r}.",
        "Use a code key of the codebook ('diplocode codebook show' lists them), a prefix such as 'strength.*', or 'dim:KEY' for a whole dimension.",
    ),
    "E211": (
        "The codebook {codebook} has no code {key!r}.",
        "Use one of its code keys: {allowed}; or a prefix such as 'strength.*', or 'dim:KEY' with a dimension key ({dimensions}).",
    ),
    "E212": (
        "No code of the codebook {codebook} matches {pattern!r}.",
        "A pattern ending in '*' selects the codes whose key starts with what comes before it; 'dim:KEY' selects a dimension, one of: {dimensions}.",
    ),
    "E213": (
        "No code was named to retrieve passages for.",
        "Name one or more codes (--code KEY on the command line, the code list on the page).",
    ),
    "E214": (
        "A DOCX file cannot be written to the terminal.",
        "Pass --out FILE.docx to write it to a file.",
    ),
}

#: The web API's message for a request that fails validation (sent with the code ``E060``;
#: ``detail`` is the validator's own English message). It is not an error raised by the
#: library, but it is translated with the catalogue's templates.
REQUEST_INVALID: tuple[str, str] = (
    "The request's '{where}' is not valid: {detail}.",
    "Send the fields the API documents at /api/docs.",
)


class DiplocodeError(Exception):
    """An error a user can act on.

    Parameters
    ----------
    code:
        A key of :data:`CATALOGUE`.
    **fields:
        Values for the message templates (``path``, ``row``, ``column`` ...).
    """

    def __init__(self, code: str, **fields: Any) -> None:
        if code not in CATALOGUE:  # a programming error, not a user error
            raise KeyError(f"unknown error code {code!r}")
        self.code = code
        self.fields = fields
        what, fix = CATALOGUE[code]
        self.what = _fill(what, fields)
        self.fix = _fill(fix, fields)
        super().__init__(f"[{code}] {self.what} {self.fix}")

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (used by reports and the web API)."""
        return {"code": self.code, "what": self.what, "fix": self.fix, "message": str(self)}


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _fill(template: str, fields: dict[str, Any]) -> str:
    try:
        return template.format_map(_Defaulting(fields))
    except (ValueError, TypeError):  # a format spec that does not fit the value given
        return template


def _fields(template: str) -> set[str]:
    """The field names ``template`` uses (``{value!r}`` and ``{size_mb:.1f}`` give
    ``value`` and ``size_mb``); ValueError when its braces do not balance."""
    names = set()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            names.add(name)
        if spec:
            names |= _fields(spec)
    return names


def translate(template: str, fields: dict[str, Any], gettext: Callable[[str], str]) -> str:
    """``template`` translated by ``gettext`` and filled with ``fields``.

    The English text (``template`` filled) comes back instead when the translation cannot
    be used: it uses a field the English template does not (a placeholder renamed by
    mistake would print ``?``), its braces do not balance, or it does not format.

    >>> ru = {"'{path}' does not exist.": "Файл '{path}' не существует."}.get
    >>> translate("'{path}' does not exist.", {"path": "a.txt"}, lambda t: ru(t) or t)
    "Файл 'a.txt' не существует."
    >>> broken = lambda t: "Файл '{путь}' не существует."
    >>> translate("'{path}' does not exist.", {"path": "a.txt"}, broken)
    "'a.txt' does not exist."
    """
    english = _fill(template, fields)
    try:
        translated = gettext(template)
        if not translated or not _fields(translated) <= _fields(template):
            return english
        return translated.format_map(_Defaulting(fields))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return english


def localized(error: DiplocodeError, gettext: Callable[[str], str]) -> tuple[str, str]:
    """``(what, fix)`` of ``error`` in the language of ``gettext`` (a catalogue of the
    ``errors`` domain), each falling back to the English text when its translation is
    missing or broken.

    >>> err = DiplocodeError("E010", path="a.txt", base="/data")
    >>> localized(err, lambda template: template) == (err.what, err.fix)
    True
    """
    what, fix = CATALOGUE[error.code]
    return translate(what, error.fields, gettext), translate(fix, error.fields, gettext)
