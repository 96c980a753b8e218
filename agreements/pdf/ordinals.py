"""Arabic ordinal words for numbering clauses: البند الأول، البند الثاني، ...

Clause (البند) is masculine, so the words are the masculine ordinals. Compounds follow
the usual contract style: 11 الحادي عشر, 21 الحادي والعشرون, 35 الخامس والثلاثون.
"""

from __future__ import annotations

_FIRST_TEN = ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع", "العاشر")
# In compounds "first" is الحادي, the other units keep their ordinal form.
_COMPOUND_UNITS = ("الحادي", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع")
_TENS = {
    2: "العشرون",
    3: "الثلاثون",
    4: "الأربعون",
    5: "الخمسون",
    6: "الستون",
    7: "السبعون",
    8: "الثمانون",
    9: "التسعون",
}
MAX_ORDINAL = 100


def arabic_ordinal(number: int) -> str:
    """The masculine Arabic ordinal of `number`, from 1 (الأول) to 100 (المائة).

    Raises `ValueError` outside that range: callers fall back to digits.
    """
    if not 1 <= number <= MAX_ORDINAL:
        raise ValueError(f"no Arabic ordinal word for {number}")
    if number <= 10:
        return _FIRST_TEN[number - 1]
    if number < 20:
        return f"{_COMPOUND_UNITS[number - 11]} عشر"
    if number == MAX_ORDINAL:
        return "المائة"
    tens, units = divmod(number, 10)
    if units == 0:
        return _TENS[tens]
    return f"{_COMPOUND_UNITS[units - 1]} و{_TENS[tens]}"
