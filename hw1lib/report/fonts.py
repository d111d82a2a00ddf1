"""Characters of the user's text that no installed font can draw, found through fontconfig.

Both PDF engines and the browser choose fonts through fontconfig: after the fonts the stylesheet
names, any installed font that has the character. A character that no font has prints as an
empty box, so the report warns before it is built and names a Debian package whose fonts have it.
fontconfig is asked through ``ctypes`` (no ``fc-list`` needed); where the library cannot be
loaded, nothing is checked.
"""

import ctypes
import ctypes.util
import functools

# Debian packages with fonts for the scripts a report's title is likely to use, by code point range.
PACKAGES = (
    (0x1100, 0x11FF, "fonts-noto-cjk"),  # Hangul jamo
    (0x2E80, 0x9FFF, "fonts-noto-cjk"),  # CJK radicals and punctuation, kana, bopomofo, Han ideographs
    (0xA960, 0xA97F, "fonts-noto-cjk"),  # Hangul jamo extended
    (0xAC00, 0xD7FF, "fonts-noto-cjk"),  # Hangul syllables
    (0xF900, 0xFAFF, "fonts-noto-cjk"),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F, "fonts-noto-cjk"),  # CJK compatibility forms
    (0xFF00, 0xFFEF, "fonts-noto-cjk"),  # full-width forms, e.g. the colon and comma of Chinese text
    (0x20000, 0x3FFFF, "fonts-noto-cjk-extra"),  # rarer Han ideographs
    (0x1F000, 0x1FAFF, "fonts-noto-color-emoji"),
)
OTHER_SCRIPTS = "fonts-noto-core"
SHOWN = 8  # characters quoted in the warning


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]


@functools.cache
def _fontconfig():
    """The fontconfig library with the few functions used here declared, or None if it cannot be loaded."""
    for name in ("libfontconfig.so.1", ctypes.util.find_library("fontconfig")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        pointer = ctypes.c_void_p
        for function, restype, argtypes in (
            ("FcCharSetCreate", pointer, []),
            ("FcCharSetAddChar", ctypes.c_int, [pointer, ctypes.c_uint32]),
            ("FcCharSetDestroy", None, [pointer]),
            ("FcPatternCreate", pointer, []),
            ("FcPatternAddCharSet", ctypes.c_int, [pointer, ctypes.c_char_p, pointer]),
            ("FcPatternDestroy", None, [pointer]),
            ("FcObjectSetCreate", pointer, []),
            ("FcObjectSetDestroy", None, [pointer]),
            ("FcFontList", ctypes.POINTER(_FontSet), [pointer, pointer, pointer]),
            ("FcFontSetDestroy", None, [ctypes.POINTER(_FontSet)]),
        ):
            getattr(lib, function).restype = restype
            getattr(lib, function).argtypes = argtypes
        return lib
    return None


def _has_font(lib, char):
    # The fonts whose character set holds ``char``, as `fc-list ':charset=XXXX'` lists them.
    charset, pattern, objects = lib.FcCharSetCreate(), lib.FcPatternCreate(), lib.FcObjectSetCreate()
    try:
        lib.FcCharSetAddChar(charset, ord(char))
        lib.FcPatternAddCharSet(pattern, b"charset", charset)
        found = lib.FcFontList(None, pattern, objects)
        if not found:
            return True  # fontconfig could not answer: assume the character prints
        count = found.contents.nfont
        lib.FcFontSetDestroy(found)
        return count > 0
    finally:
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
        lib.FcCharSetDestroy(charset)


def can_check():
    """Whether fontconfig could be loaded to answer ``missing_characters``."""
    return _fontconfig() is not None


def missing_characters(text):
    """The distinct characters of ``text``, in order, that no installed font has ([] if fontconfig is absent)."""
    lib = _fontconfig()
    if lib is None:
        return []
    distinct = dict.fromkeys(c for c in text if not c.isspace() and not c.isascii())
    return [c for c in distinct if not _has_font(lib, c)]


def font_package(char):
    """The Debian package whose fonts draw ``char``."""
    point = ord(char)
    return next((package for low, high, package in PACKAGES if low <= point <= high), OTHER_SCRIPTS)


def font_warning(texts):
    """One line saying which of ``texts`` ({what: text}) would print as boxes and what to install, or None."""
    missing = {what: missing_characters(text) for what, text in texts.items() if text}
    missing = {what: chars for what, chars in missing.items() if chars}
    if not missing:
        return None
    chars = list(dict.fromkeys(c for found in missing.values() for c in found))
    packages = list(dict.fromkeys(font_package(c) for c in chars))
    shown = "".join(chars[:SHOWN]) + ("…" if len(chars) > SHOWN else "")
    return (
        f"no installed font has the characters {shown} of the {' and '.join(missing)}, so they print as "
        f"empty boxes; install {' and '.join(packages)} (sudo apt-get install {' '.join(packages)}) "
        f"and build the report again"
    )
