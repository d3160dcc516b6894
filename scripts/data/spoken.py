"""Written -> spoken English: number words and the one text normalisation shared by corpus, training and eval.

The model's alphabet is a-z, space and apostrophe; normalise() maps any transcript onto it the way the
recognizer must say it. scripts/eval/normalise.ts mirrors this file rule for rule (test/eval-normalise.test.ts
checks the two agree).
"""
import re
import unicodedata

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
SCALES = [(10 ** 12, "trillion"), (10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand")]
ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                     "nine": "ninth", "twelve": "twelfth"}


def _below_thousand(n: int) -> str:
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10]))
    elif n > 0 or not words:
        words.append(ONES[n])
    return " ".join(words)


def cardinal(n: int) -> str:
    """1234 -> 'one thousand two hundred thirty four' (American style, no 'and')."""
    if n < 0:
        return "minus " + cardinal(-n)
    words = []
    for scale, name in SCALES:
        if n >= scale:
            words.append(cardinal(n // scale) + " " + name)
            n %= scale
    if n or not words:
        words.append(_below_thousand(n))
    return " ".join(words)


def ordinal(n: int) -> str:
    """21 -> 'twenty first'."""
    words = cardinal(n).split(" ")
    last = words[-1]
    if last in ORDINAL_IRREGULAR:
        words[-1] = ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def year(n: int) -> str:
    """1982 -> 'nineteen eighty two', 2005 -> 'two thousand five', 2023 -> 'twenty twenty three'."""
    if 2000 <= n <= 2009 or n % 1000 == 0 or not 1000 <= n <= 9999:
        return cardinal(n)
    high, low = divmod(n, 100)
    if low == 0:
        return cardinal(high) + " hundred"
    if low < 10:
        return cardinal(high) + " oh " + ONES[low]
    return cardinal(high) + " " + cardinal(low)


def digits(s: str, zero: str = "zero") -> str:
    """'4053' -> 'four zero five three' (zero may be 'oh')."""
    return " ".join(zero if c == "0" else ONES[int(c)] for c in s)


_ORDINAL_RE = re.compile(r"\b([0-9]+)(st|nd|rd|th)\b", re.ASCII)
_MONEY_RE = re.compile(r"([$£€])([0-9]+)(?:\.([0-9][0-9]))?")
_DECIMAL_RE = re.compile(r"([0-9]+)\.([0-9]+)")
_NUMBER_RE = re.compile(r"[0-9]+")
_THOUSANDS_RE = re.compile(r"(?<=[0-9]),(?=[0-9]{3}\b)", re.ASCII)
_CURRENCY = {"$": ("dollar", "cent"), "£": ("pound", "pence"), "€": ("euro", "cent")}
_SYMBOLS = {"&": " and ", "%": " percent ", "@": " at ", "+": " plus ", "=": " equals "}


def _plural(n: int, unit: str) -> str:
    if n == 1 or unit == "pence":
        return unit
    return unit + "s"


def _money(m: re.Match) -> str:
    major_unit, minor_unit = _CURRENCY[m.group(1)]
    whole = int(m.group(2))
    spoken = f" {cardinal(whole)} {_plural(whole, major_unit)} "
    if m.group(3) and int(m.group(3)):
        cents = int(m.group(3))
        spoken += f"{cardinal(cents)} {_plural(cents, minor_unit)} "
    return spoken


def _number(m: re.Match) -> str:
    s = m.group(0)
    n = int(s)
    if len(s) > 1 and s[0] == "0":
        return " " + digits(s, "oh") + " "
    if len(s) == 4 and (1100 <= n <= 1999 or 2010 <= n <= 2099):
        return " " + year(n) + " "
    if len(s) > 9:
        return " " + digits(s) + " "
    return " " + cardinal(n) + " "


def numbers_to_words(text: str) -> str:
    text = _THOUSANDS_RE.sub("", text)
    text = _MONEY_RE.sub(_money, text)
    text = _ORDINAL_RE.sub(lambda m: " " + ordinal(int(m.group(1))) + " ", text)
    text = _DECIMAL_RE.sub(lambda m: f" {cardinal(int(m.group(1)))} point {digits(m.group(2))} ", text)
    return _NUMBER_RE.sub(_number, text)


_NOT_ALPHABET_RE = re.compile(r"[^a-z' ]+")
_LOOSE_APOSTROPHE_RE = re.compile(r"(?<![a-z])'|'(?![a-z])")
# Titles always said in full.
_SPOKEN_TITLES = {"mr": "mister", "mrs": "missus"}
# Abbreviations with their dot, said in full wherever they appear.
_ABBREVIATIONS = [
    (re.compile(r"\betc\.", re.I), " et cetera "), (re.compile(r"\bvs\.", re.I), " versus "),
    (re.compile(r"\be\.g\.", re.I), " for example "), (re.compile(r"\bi\.e\.", re.I), " that is "),
]
# Ambiguous abbreviations ("St." is saint or street), expanded only before a capitalised name, where one reading wins.
_TITLE_ABBREVIATIONS = {
    "Dr": "doctor", "St": "saint", "Mt": "mount", "Prof": "professor", "Gen": "general", "Capt": "captain",
    "Col": "colonel", "Sgt": "sergeant",
}
_TITLE_BEFORE_NAME_RE = re.compile(r"\b(Dr|St|Mt|Prof|Gen|Capt|Col|Sgt)\.? (?=[A-Z])")
_NUMBER_SIGN_RE = re.compile(r"\b[Nn]o\.? ?(?=[0-9])")
_CLOCK_TIME_RE = re.compile(r"\b([0-9]{1,2}):([0-5][0-9])\b")


def _clock_time(m: re.Match) -> str:
    h = cardinal(int(m.group(1)))
    minutes = int(m.group(2))
    if minutes == 0:
        return f" {h} o'clock "
    return f" {h} oh {ONES[minutes]} " if minutes < 10 else f" {h} {cardinal(minutes)} "


def expand_abbreviations(text: str) -> str:
    """Expands abbreviations and clock times; runs before numbers are said, on the original casing."""
    text = _TITLE_BEFORE_NAME_RE.sub(lambda m: _TITLE_ABBREVIATIONS[m.group(1)] + " ", text)
    for pattern, spoken in _ABBREVIATIONS:
        text = pattern.sub(spoken, text)
    return _CLOCK_TIME_RE.sub(_clock_time, _NUMBER_SIGN_RE.sub(" number ", text))


def normalise(text: str) -> str:
    """Any English transcript -> lowercase a-z / space / apostrophe, numbers said as words.

    Apostrophes survive only inside words ("don't", "o'clock"); quotes and hyphens become word breaks.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = numbers_to_words(expand_abbreviations(text))
    for symbol, spoken in _SYMBOLS.items():
        text = text.replace(symbol, spoken)
    text = text.lower()
    text = _NOT_ALPHABET_RE.sub(" ", text)
    text = _LOOSE_APOSTROPHE_RE.sub(" ", text)
    return " ".join(_SPOKEN_TITLES.get(word, word) for word in text.split())
