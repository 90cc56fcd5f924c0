"""A channel's languages as a prior for its short, ambiguous posts.

Most channels write in one language or two, so a short post the detectors are unsure of
("Экономика", "Тилек Текебаев", "мектептер") is far likelier in a language its channel
writes than in a neighbour that spells the same words. The prior is the share of each
language among the channel's stored posts; the archive keeps those counts (post_counts),
and ingest hands them in (bot/ingest.py): nothing here reads the store.

It never overrides a sure answer: only a short-text vote whose winner holds less than
LEAN_BELOW of the votes is reweighed, each language's votes times
min(share + FLOOR, CAP) ** POWER. The cap makes every language with a tenth of the channel
or more count alike, so the prior rules out the neighbours a channel does not write (ky and
uk in a kk+ru channel) without choosing between the channel's own languages: a bilingual
channel's second language, even at 10 %, is read as well as without the prior. The floor
keeps a language the channel has never written possible, at 1/400 of its votes.
bench/evaluate.py's channel simulation chose the four numbers on its dev split, over
monolingual, 70/30 and 90/10 channels: the mean short-text accuracy is on a plateau there,
and with these no language of any simulated channel reads worse than without the prior
(a cap of 0.3 read a 10 % minority up to 7 points worse: uk word pairs in a ru 90 + uk 10
channel, dev).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

#: Language code -> its share (0 to 1) of the channel's posts.
Prior = Mapping[str, float]

LEAN_BELOW: Final = 0.8
FLOOR: Final = 0.005
CAP: Final = 0.1
POWER: Final = 2.0
# Fewer posts than this tell little about a channel's languages.
MIN_POSTS: Final = 20
_UNDETERMINED: Final = "und"


def prior_from_counts(counts: Mapping[str, int]) -> dict[str, float] | None:
    """Each language's share of a channel's posts, or None when there are too few to tell."""
    counted = {lang: n for lang, n in counts.items() if lang != _UNDETERMINED and n > 0}
    total = sum(counted.values())
    if total < MIN_POSTS:
        return None
    return {lang: n / total for lang, n in counted.items()}


def lean(possible: Sequence[tuple[float, str]], prior: Prior) -> list[tuple[float, str]]:
    """Weigh each language's votes by how much of the channel it writes."""
    return [(score * min(prior.get(lang, 0.0) + FLOOR, CAP) ** POWER, lang)
            for score, lang in possible]


def may_lean(lang: str, confidence: float) -> bool:
    """Tell whether an answer could still move with its channel's prior.

    ``und`` is too little text (or the empty analysis of a post already stored).
    """
    return lang != _UNDETERMINED and confidence < LEAN_BELOW
