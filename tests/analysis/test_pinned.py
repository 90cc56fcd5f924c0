"""Pinned answers: the analysis shortcuts (CLD2 deciding without fastText, the remembered
Turkic words, bot/analysis/language.py and keywords.py) change no language, confidence or hit.

Each text's expected answer was written down by the analyser before the shortcuts, and is
checked in the order given, reversed, and after a matcher's word memory has been cleared, so
neither a remembered word nor the order of posts can change what a post gets.
"""

from __future__ import annotations

import pytest

from bot.analysis import keywords
from bot.analysis.analyzer import Analyzer
from bot.config import KeywordGroup

GROUPS = {
    "president": KeywordGroup(terms=["Токаев", "Тоқаев", "Tokayev", "Акорда", "Жапаров"]),
    "parliament": KeywordGroup(
        terms=["Мажилис", "Мәжіліс", "парламент", "parliament", "Жогорку Кенеш"]
    ),
    "agents": KeywordGroup(terms=["иноагент", "foreign agent"], exclude=["реклама"]),
    "economy": KeywordGroup(
        terms=["бензин", "жанармай", "бюджет", "салық", "мамлекет", "шаар", "кітап", "қой",
               "сипатта-", "Қазақстан*", '"нефть"', "/газ[оа]\\w+/"]
    ),
    "ru_only": KeywordGroup(terms=["закон", "санкция", "просто"], languages=["ru"]),
    "uz": KeywordGroup(terms=["Oʻzbekiston", "Mirziyoyev"]),
}
TEXTS: list[str] = [
    # Long posts: Russian, Kazakh, Kyrgyz, English, Ukrainian, Belarusian, Uzbek (both scripts).
    "Президент Токаев подписал закон о бюджете на следующий год. Мажилис одобрил поправки, "
    "а депутаты обсудили цены на бензин и новые санкции. Правительство заявило, что рост цен "
    "будет остановлен, а поддержка граждан продолжится в каждом районе и области страны.",
    "Мемлекет басшысы Қасым-Жомарт Тоқаев Мәжіліс депутаттарымен кездесті. Кездесуде салық "
    "саясаты, жанармай бағасы және Қазақстандағы экономикалық реформалар талқыланды. Тоқаевтың "
    "айтуынша, биыл бюджет қаражаты ауыл шаруашылығын дамытуға бағытталады.",
    "Жогорку Кеңештин депутаттары мамлекеттик бюджеттин долбоорун талкуулашты. Президент Садыр "
    "Жапаров шаардын жолдорун оңдоо боюнча тапшырма берди. Бишкек шаарындагы мектептерде жаңы "
    "окуу жылы башталды, ата-энелер балдарын мектепке алып келишти.",
    "President Tokayev told parliament that the budget will support farmers and schools. "
    "Lawmakers discussed fuel prices and a bill on foreign agents, which critics say could "
    "silence independent media. The government promised new roads in every region this year.",
    "Президент України підписав закон про бюджет. Верховна Рада ухвалила зміни до податкового "
    "кодексу, а уряд пообіцяв підтримку громадянам у кожній області та місті країни.",
    "Прэзідэнт падпісаў закон аб бюджэце на наступны год. Дэпутаты абмеркавалі цэны на паліва, "
    "а ўрад паабяцаў падтрымку грамадзянам у кожнай вобласці краіны.",
    "Oʻzbekiston Prezidenti Shavkat Mirziyoyev parlament deputatlari bilan uchrashdi. "
    "Uchrashuvda soliq siyosati, yoqilgʻi narxlari va iqtisodiy islohotlar muhokama qilindi.",
    "Ўзбекистон Президенти Шавкат Мирзиёев парламент депутатлари билан учрашди. Учрашувда "
    "солиқ сиёсати ва иқтисодий ислоҳотлар муҳокама қилинди.",
    # A Russian post about Тоқаев and the Мәжіліс: still Russian.
    "Сегодня Тоқаев выступил в Мәжіліс с обращением к депутатам, рассказал о бюджете, "
    "налогах и ценах на бензин в стране на следующий год.",
    # Short posts: the votes decide.
    "Тоқаев Астанада",
    "Ақорда: Тоқаев Мәжіліс депутаттарымен кездесті",
    "Экономика",
    "Тилек Текебаев",
    "мектептер",
    "Поздравляяяем с праздником!!!",
    "Кооооль",
    "ok",
    "🔥🔥 https://t.me/x/1",
    "Шаардагы жолдор оңдолду",
    "Қой бағу — ата кәсіп. Қояды, қойды, қойлар.",
    "Коюлду маселе, коюп кетти.",
    # Mixed script, invisible characters, links, hyphenated names.
    "Tоkayev и Мaжилис обсудили нефть и газопровод на www.gov.kz и https://akorda.kz/news",
    "То\u00adка\u200bев подписал закон",
    "Ысык-Көл облусунда шаар куруу боюнча долбоор сипаттама берилди, сипаттады.",
    "Нур-Султан и Қазақстандық компания qazaqstan Toqaev",
    "Жапаровдун шаарга келиши — маанилүү окуя. Жапаровго суроо берилди @user e-mail a@b.kg",
    "Это просто закон. Просто красивый город и простой вопрос о санкциях.",
    "Реклама: иноагентов и бензин по скидке",
    "The foreign agents bill passed; parliament's vote was 60 to 40, rock'n'roll.",
    "М'ясо та бензин подорожчали, уряд обіцяє бюджет на 2025 рік.",
    "Кітаптардың бағасы өсті, кітабы жоқ оқушылар көп. Қазақстанның салықтары.",
]

# (language, confidence, hits as (group, term, form)), one per text.
PINNED: list[tuple[str, float, tuple[tuple[str, str, str], ...]]] = [
    ("ru", 0.9487, (
        ("economy", "бензин", "бензин"),
        ("economy", "бюджет", "бюджете"),
        ("parliament", "Мажилис", "мажилис"),
        ("parliament", "Мәжіліс", "мажилис"),
        ("president", "Токаев", "токаев"),
        ("president", "Тоқаев", "токаев"),
        ("ru_only", "закон", "закон"),
        ("ru_only", "санкция", "санкции"),
    )),
    ("kk", 0.99, (
        ("economy", "бюджет", "бюджет"),
        ("economy", "жанармай", "жанармай"),
        ("economy", "салық", "салық"),
        ("economy", "Қазақстан*", "қазақстандағы"),
        ("parliament", "Мажилис", "мәжіліс"),
        ("parliament", "Мәжіліс", "мәжіліс"),
        ("president", "Tokayev", "тоқаев"),
        ("president", "Токаев", "тоқаев"),
        ("president", "Тоқаев", "тоқаев"),
    )),
    ("ky", 0.99, (
        ("economy", "бюджет", "бюджеттин"),
        ("economy", "мамлекет", "мамлекеттик"),
        ("economy", "шаар", "шаардын"),
        ("parliament", "Жогорку Кенеш", "жогорку кеңештин"),
        ("president", "Жапаров", "жапаров"),
    )),
    ("en", 0.9704, (
        ("agents", "foreign agent", "foreign agents"),
        ("parliament", "parliament", "parliament"),
        ("president", "Tokayev", "tokayev"),
    )),
    ("uk", 0.9418, (
        ("economy", "бюджет", "бюджет"),
    )),
    ("be", 0.99, ()),
    ("uz", 0.99, (
        ("parliament", "парламент", "parlament"),
        ("uz", "Mirziyoyev", "mirziyoyev"),
        ("uz", "Oʻzbekiston", "oʻzbekiston"),
    )),
    ("uz", 0.99, (
        ("parliament", "парламент", "парламент"),
        ("uz", "Mirziyoyev", "мирзиеев"),
        ("uz", "Oʻzbekiston", "ўзбекистон"),
    )),
    ("ru", 0.9364, (
        ("economy", "бензин", "бензин"),
        ("economy", "бюджет", "бюджете"),
        ("parliament", "Мажилис", "мәжіліс"),
        ("parliament", "Мәжіліс", "мәжіліс"),
        ("president", "Токаев", "тоқаев"),
        ("president", "Тоқаев", "тоқаев"),
    )),
    ("kk", 0.8665, (
        ("president", "Tokayev", "тоқаев"),
        ("president", "Токаев", "тоқаев"),
        ("president", "Тоқаев", "тоқаев"),
    )),
    ("kk", 0.9943, (
        ("parliament", "Мажилис", "мәжіліс"),
        ("parliament", "Мәжіліс", "мәжіліс"),
        ("president", "Tokayev", "тоқаев"),
        ("president", "Акорда", "ақорда"),
        ("president", "Токаев", "тоқаев"),
        ("president", "Тоқаев", "тоқаев"),
    )),
    ("ru", 0.6014, ()),
    ("kk", 0.4939, ()),
    ("ky", 0.5284, ()),
    ("ru", 0.94, ()),
    ("ru", 0.67, ()),
    ("und", 0.0, ()),
    ("und", 0.0, ()),
    ("ky", 1.0, (
        ("economy", "шаар", "шаардагы"),
    )),
    ("kk", 1.0, (
        ("economy", "қой", "қой"),
    )),
    ("ky", 0.9042, ()),
    ("ru", 0.9968, (
        ("economy", "\"нефть\"", "нефть"),
        ("economy", "/газ[оа]\\w+/", "газопровод"),
        ("parliament", "Мажилис", "мажилис"),
        ("parliament", "Мәжіліс", "мажилис"),
        ("president", "Tokayev", "tokayev"),
    )),
    ("ru", 0.9039, (
        ("president", "Токаев", "токаев"),
        ("president", "Тоқаев", "токаев"),
        ("ru_only", "закон", "закон"),
    )),
    ("ky", 0.99, (
        ("economy", "сипатта-", "сипаттама"),
        ("economy", "шаар", "шаар"),
    )),
    ("kk", 0.6319, (
        ("economy", "Қазақстан*", "қазақстандық"),
        ("president", "Tokayev", "toqaev"),
        ("president", "Токаев", "toqaev"),
        ("president", "Тоқаев", "toqaev"),
    )),
    ("ky", 0.92, (
        ("economy", "шаар", "шаарга"),
        ("president", "Жапаров", "жапаровдун"),
    )),
    ("ru", 0.9699, (
        ("ru_only", "закон", "закон"),
        ("ru_only", "просто", "просто"),
        ("ru_only", "санкция", "санкциях"),
    )),
    ("ru", 0.867, (
        ("economy", "бензин", "бензин"),
    )),
    ("en", 0.9579, (
        ("agents", "foreign agent", "foreign agents"),
    )),
    ("uk", 1.0, (
        ("economy", "бензин", "бензин"),
        ("economy", "бюджет", "бюджет"),
    )),
    ("kk", 0.99, (
        ("economy", "кітап", "кітаптардың"),
        ("economy", "салық", "салықтары"),
        ("economy", "Қазақстан*", "қазақстанның"),
    )),
]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(GROUPS)


def _answer(analyzer: Analyzer, text: str) -> tuple[str, float, tuple[tuple[str, str, str], ...]]:
    found = analyzer.analyse(text)
    return found.lang, found.lang_confidence, tuple((h.group, h.term, h.form) for h in found.hits)


def test_every_pinned_text_gets_its_pinned_answer(analyzer: Analyzer) -> None:
    assert len(TEXTS) == len(PINNED)
    assert [_answer(analyzer, text) for text in TEXTS] == PINNED


def test_the_answers_do_not_depend_on_the_posts_before(analyzer: Analyzer) -> None:
    backwards = [_answer(analyzer, text) for text in reversed(TEXTS)]
    assert backwards[::-1] == PINNED


def test_the_turkic_word_memory_is_bounded_and_forgetting_changes_no_answer(
    analyzer: Analyzer,
) -> None:
    matcher = analyzer._matcher
    most = keywords._TURKIC_KNOWN_MAX
    # More distinct words than the memory holds, as a Kazakh archive's vocabulary is: over
    # two posts, and in one.
    matcher.match(" ".join(f"сөз{n}қ" for n in range(most - 100)), "kk")
    matcher.match(" ".join(f"басқа{n}" for n in range(500)), "kk")
    assert len(matcher._turkic_known) <= most
    assert [_answer(analyzer, text) for text in TEXTS] == PINNED
    matcher.match(" ".join(f"сөз{n}қ" for n in range(most + 500)), "kk")
    assert len(matcher._turkic_known) <= most
    assert [_answer(analyzer, text) for text in TEXTS] == PINNED
