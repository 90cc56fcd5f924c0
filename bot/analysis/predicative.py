"""Tell whether a Russian adjective's short neuter or comparative form stands as the adjective.

Russian uses the short neuter form of an adjective (просто, важно, тяжело) and its
comparative (больше, лучше) as adverbs too. UD (and a reader watching the adjective) counts
the form as the adjective where it is a predicate: alone (Круто!), beside a copula (было
жарко, стало известно), before an infinitive or a clause (трудно найти, хорошо, что…). It
is the adverb or a particle where it modifies the word beside it: a verb, an adjective, an
adverb or a number (прекрасно сочетаются, безумно интересная, больше 500), a negated verb
(больше не буду), or the verb before it (рисовала лучше), and it is a part of a compound
before a hyphen (общественно-политический, чёрно-белый). Only words with no punctuation
between them are read together. A form that is also a particle or a conjunction (просто,
хорошо, лучше, похоже) is the particle unless it stands before punctuation or beside a
copula (Это просто. but просто он…).

Measured on UD Russian-Taiga's adjectives (bench/evaluate.py): recall / precision .990 / .890
with every such form matched, .935 / .957 with none, and .980 / .958 with this reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.analysis.morphology import word_classes

# Forms of быть, стать, становиться, казаться, оказаться, бывать: a closed list.
_COPULAS: Final = frozenset((
    "быть", "был", "была", "было", "были", "буду", "будешь", "будет", "будем", "будете", "будут",
    "будь", "будьте",
    "стать", "стал", "стала", "стало", "стали", "стану", "станешь", "станет", "станем", "станете",
    "станут",
    "становиться", "становится", "становятся", "становился", "становилась", "становилось",
    "становились",
    "казаться", "кажется", "кажутся", "казался", "казалась", "казалось", "казались",
    "оказаться", "окажется", "окажутся", "оказался", "оказалась", "оказалось", "оказались",
    "бывать", "бывает", "бывают", "бывал", "бывала", "бывало", "бывали",
))
# Parts of speech of a word the form modifies when it stands right before it.
_MODIFIED: Final = frozenset({"VERB", "GRND", "PRTF", "PRTS", "ADJF", "ADJS", "ADVB", "COMP",
                              "NUMR"})
_PARTICLE: Final = frozenset({"PRCL", "CONJ"})


def reads_as_adjective(
    norm: str, words: Sequence[str], spans: Sequence[tuple[int, int]], i: int
) -> bool:
    """Tell whether word ``i`` of a normalised post, such a form, is the adjective.

    ``words`` and ``spans`` are the post's words (``morphology.WORD``) and their places.
    """
    end = spans[i][1]
    between = norm[end : spans[i + 1][0]] if i + 1 < len(words) else "."
    if between == "-":
        return False  # общественно-политический
    touches_next = not between.strip()
    before = words[i - 1] if i and not norm[spans[i - 1][1] : spans[i][0]].strip() else None
    after_copula = before in _COPULAS
    if touches_next:
        following = words[i + 1]
        if following in _COPULAS:
            return True
        if following == "не":
            return False
        if not after_copula and not _PARTICLE.isdisjoint(word_classes(words[i], "ru")):
            return False
        classes = {"NUMR"} if following.isdigit() else word_classes(following, "ru")
        if classes and classes <= _MODIFIED:
            return False
    return before is None or after_copula or "VERB" not in word_classes(before, "ru")
