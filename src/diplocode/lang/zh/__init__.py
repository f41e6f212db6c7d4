"""Chinese (Simplified).

Written without spaces: ``。！？`` (and ASCII ``!?``) end a sentence whether or not
whitespace follows. ``；`` (semicolon) and ``，`` do not end a sentence. ``.`` ends one
only before whitespace (embedded Latin-script text).
"""

from .. import LanguageData

DATA = LanguageData(
    code="zh",
    name="Chinese",
    native_name="中文",
    script="Hans",
    # No period-abbreviations of its own; Latin ones come from the cross-language set.
    abbreviations=frozenset(),
    sentence_terminators="。！？｡!?.",
    spaces_between_words=False,
)
