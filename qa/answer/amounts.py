"""What a figure in a sentence says: a low and a high bound, and whether it is approximate.

"56" is 56; "about 50" is approximately 50; "more than 100" and "at least four" have
no upper bound; "800 to 1,200" is a range; "dozens" is at least 24, approximately.
Two figures are the same claim when they read the same, compatible when one reading
admits the other ("over 400" and "400"), and different otherwise (56 and 400).
"""

from __future__ import annotations

import re

from qa import rules
from qa.records import Amount

_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
          "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
# vague plurals: a lower bound, approximately
VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "millions": 2_000_000, "several": 3,
          "multiple": 2, "a handful": 3, "a dozen": 12, "a few": 2, "many": 2}
_ABOUT, _ATLEAST, _ATMOST = rules.phrases("approximately"), rules.phrases("at_least"), rules.phrases("at_most")
_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
          r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety")
_SCALE = r"(?: (?:hundred|thousand|million|billion))"
_NUMBER = (rf"\d[\d,]*(?:\.\d+)?{_SCALE}?|(?:(?:{_WORDS})(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?{_SCALE}*)"
           rf"|(?:an? (?:hundred|thousand|million|billion){_SCALE}*)")
_RANGE = re.compile(rf"^(?:between )?({_NUMBER})\s*(?:to|-|–|and)\s*({_NUMBER})$", re.IGNORECASE)
_QUALIFIED = re.compile(rf"^(?:({_ABOUT}|{_ATLEAST}|{_ATMOST})\s+)?(?:only\s+)?({_NUMBER})$", re.IGNORECASE)
# figures as they stand in a sentence, with the words that qualify them
FIGURE = re.compile(rf"\b(?:(?:{_ABOUT}|{_ATLEAST}|{_ATMOST})\s+)?(?:only\s+)?(?:{_NUMBER})(?:\s*(?:to|-|–)\s*(?:{_NUMBER}))?\b"
                    rf"|\b(?:{'|'.join(sorted(VAGUE, key=len, reverse=True))})\b", re.IGNORECASE)
_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")


def number(words: str) -> float | None:
    """The value of "1,200", "4.5", "four", "twenty-one", "six hundred", "2 million"; None if not a number."""
    words = words.strip().lower().replace(",", "")
    try:
        return float(words)
    except ValueError:
        pass
    total, current, seen = 0.0, 0.0, False
    for token in re.split(r"[\s-]+", words):
        if token in _UNITS:
            current += _UNITS[token]
            seen = True
        elif token in _SCALES:
            current = (current or 1) * _SCALES[token]
            if _SCALES[token] >= 1000:
                total, current = total + current, 0.0
            seen = True
        elif re.fullmatch(r"\d+(?:\.\d+)?", token):
            current += float(token)
            seen = True
        else:
            return None
    return total + current if seen else None


def read(value: str) -> Amount | None:
    """The reading of a figure as a sentence writes it; None when it is no figure (or a bare year)."""
    text = " ".join(value.lower().split()).removeprefix("only ")
    if text in VAGUE:
        return Amount(float(VAGUE[text]), None, True)
    if _YEAR.match(text):
        return None
    match = _RANGE.match(text)
    if match:
        low, high = number(match.group(1)), number(match.group(2))
        if low is not None and high is not None and low < high:
            return Amount(low, high, False)
    match = _QUALIFIED.match(text)
    if not match:
        return None
    qualifier, figure = (match.group(1) or "").lower(), number(match.group(2))
    if figure is None:
        return None
    if re.fullmatch(_ATLEAST, qualifier):
        return Amount(figure, None, False)
    if re.fullmatch(_ATMOST, qualifier):
        return Amount(None, figure, False)
    return Amount(figure, figure, bool(qualifier))


def compatible(a: Amount, b: Amount) -> bool:
    """Whether two readings rest on the same figure, qualified differently ("over 400" and "400",
    "at least four" and "four"), so that neither contradicts the other; 56 and 400 do not."""
    return a.anchor == b.anchor
