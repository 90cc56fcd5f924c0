"""Language codes a filter may name: ISO 639-1, plus ``und`` for text too short to tell."""

from __future__ import annotations

import difflib

ISO_639_1 = frozenset((
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg",
    "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv",
    "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi",
    "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr",
    "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja",
    "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
    "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml",
    "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro",
    "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr",
    "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr",
    "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
    "yo", "za", "zh", "zu",
)) | {"und"}
#: Names people type instead of a code.
NAMES = {
    "russian": "ru", "kazakh": "kk", "english": "en", "ukrainian": "uk", "kyrgyz": "ky",
    "uzbek": "uz", "belarusian": "be", "tatar": "tt", "mongolian": "mn", "german": "de",
    "turkish": "tr", "chinese": "zh", "arabic": "ar", "persian": "fa", "french": "fr",
    "русский": "ru", "казахский": "kk", "қазақша": "kk", "английский": "en",
}


def lang_code(text: str) -> str | None:
    """The code ``text`` names (``RU``, ``ru``, ``russian``), or None."""
    key = text.strip().casefold()
    if key in ISO_639_1:
        return key
    return NAMES.get(key)


def lang_suggestions(text: str) -> list[str]:
    """Codes close to ``text``, for a "did you mean" line."""
    key = text.strip().casefold()
    close = difflib.get_close_matches(key, list(NAMES), n=1, cutoff=0.7)
    if close:
        return [NAMES[close[0]]]
    return difflib.get_close_matches(key, sorted(ISO_639_1), n=3, cutoff=0.5)
