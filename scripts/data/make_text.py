#!/usr/bin/env python3
"""Text corpus for training and evaluating the recognizer, already in spoken form.

  python3 scripts/data/make_text.py --split train|heldout --count N --seed S --out FILE
      [--speech-tsv /work/shared/data/speech.tsv] [--words FILE] [--tags FILE]

Writes one sentence a line, only a-z, space and apostrophe, exactly as the recognizer must output it:
  (a) N conversational sentences (calls, meetings, front desks) dense in spoken personal data: names, spelled
      names, phone / card / account / SSN / IBAN / passport numbers said digit by digit, emails, addresses,
      dates, times, money, ages. Every fifth template and the HELD_OUT names of names.py are emitted only for
      --split heldout, and --split heldout emits only those.
  (b) with --speech-tsv, the normalised transcripts of that split of the real speech (split.is_held_out),
      for natural general English.
Also writes a word list (word<TAB>count, most frequent first) to --words (default OUT.words), and with --tags
one line of BIO entity labels per sentence (one label a word, e.g. "O O B-PERSON I-PERSON"), for the tagger.
Deterministic for a given --split/--count/--seed/--speech-tsv. Python 3 standard library only.
"""
import argparse
import os
import random
import sys
from collections import Counter

sys.dont_write_bytecode = True  # keep scripts/data free of __pycache__ in the synced tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from names import FIRST_NAMES, HELD_OUT_FIRST_NAMES, HELD_OUT_LAST_NAMES, LAST_NAMES  # noqa: E402
from spoken import ONES, cardinal, digits, normalise, ordinal, year  # noqa: E402,F401  (normalise re-exported)
from split import is_held_out, read_speech_tsv  # noqa: E402

HELD_OUT_TEMPLATE_EVERY = 5  # templates whose index % 5 == 4 are held out: a fixed 20 %

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
STREETS = ["oak", "maple", "pine", "cedar", "elm", "main", "church", "park", "high", "station", "mill", "victoria",
           "king", "queen", "washington", "lincoln", "jefferson", "lake", "hill", "river", "spring", "north",
           "south", "west", "east", "forest", "meadow", "willow", "chestnut", "birch", "sunset", "highland",
           "garden", "bridge", "market", "school", "broad", "cherry", "walnut", "harbor"]
STREET_KINDS = ["street", "road", "avenue", "lane", "drive", "court", "boulevard", "way", "place", "close",
                "crescent", "terrace"]
CITIES = ["springfield", "portland", "boston", "chicago", "denver", "austin", "seattle", "phoenix", "atlanta",
          "dallas", "houston", "miami", "london", "manchester", "leeds", "bristol", "glasgow", "edinburgh",
          "cardiff", "dublin", "toronto", "new york", "los angeles", "san francisco", "san diego", "detroit",
          "cleveland", "baltimore", "nashville", "birmingham", "liverpool", "sheffield", "oxford", "cambridge"]
EMAIL_DOMAINS = ["gmail dot com", "yahoo dot com", "hotmail dot com", "outlook dot com", "icloud dot com",
                 "aol dot com", "proton dot me", "btinternet dot com", "company dot co dot uk", "acme dot org",
                 "example dot net", "mail dot com"]
COMPANIES = ["acme", "northwind", "globex", "initech", "umbrella", "stark", "wayne", "contoso", "fabrikam",
             "blue sky", "riverside", "summit", "pinnacle", "evergreen", "horizon"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Speaker:
    """Fills template slots with freshly drawn, spoken-form personal data."""

    def __init__(self, rng: random.Random, held_out: bool):
        self.rng = rng
        self.first_names = HELD_OUT_FIRST_NAMES if held_out else FIRST_NAMES
        self.last_names = HELD_OUT_LAST_NAMES if held_out else LAST_NAMES

    # digit strings -------------------------------------------------------------------------------------------
    def digit_string(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def say_digits(self, s: str) -> str:
        """Digit by digit the way people read numbers out: 'oh' or 'zero', sometimes 'double five'."""
        zero = "oh" if self.rng.random() < 0.5 else "zero"
        if self.rng.random() < 0.6:
            return digits(s, zero)
        words, i = [], 0
        while i < len(s):
            run = 1
            while i + run < len(s) and s[i + run] == s[i] and run < 3:
                run += 1
            word = zero if s[i] == "0" else ONES[int(s[i])]
            words.append({1: word, 2: "double " + word, 3: "triple " + word}[run])
            i += run
        return " ".join(words)

    def say_group(self, s: str) -> str:
        """A four-digit group: mostly digit by digit, sometimes in pairs ('forty five thirty two').

        Pairs only when neither is a round ten: "fifty five five" could be 5055 or 5505.
        """
        if len(s) == 4 and "0" not in (s[0], s[1], s[2], s[3]) and self.rng.random() < 0.25:
            return f"{cardinal(int(s[:2]))} {cardinal(int(s[2:]))}"
        return self.say_digits(s)

    def say_groups(self, s: str, sizes) -> str:
        out, i = [], 0
        for size in sizes:
            out.append(self.say_group(s[i:i + size]))
            i += size
        return " ".join(out)

    # personal data -------------------------------------------------------------------------------------------
    def first(self) -> str:
        return self.rng.choice(self.first_names)

    def last(self) -> str:
        return self.rng.choice(self.last_names)

    def full(self) -> str:
        return f"{self.first()} {self.last()}"

    def spell(self, name: str) -> str:
        letters = [c for c in name if c in LETTERS]
        return " ".join(letters)

    def phone(self) -> str:
        if self.rng.random() < 0.6:  # NANP: area code 2-9, exchange 2-9
            area = self.rng.choice("23456789") + self.digit_string(2)
            exchange = self.rng.choice("23456789") + self.digit_string(2)
            return self.say_groups(area + exchange + self.digit_string(4), (3, 3, 4))
        if self.rng.random() < 0.5:  # UK mobile 07xxx xxxxxx
            return self.say_groups("07" + self.rng.choice("3456789") + self.digit_string(8), (5, 3, 3))
        return self.say_groups("020" + self.rng.choice("378") + self.digit_string(7), (3, 4, 4))

    def card(self) -> str:
        body = self.rng.choice("3456") + self.digit_string(14)
        return self.say_groups(body + luhn_check_digit(body), (4, 4, 4, 4))

    def account(self) -> str:
        return self.say_digits(self.digit_string(self.rng.choice((8, 9, 10))))

    def sort_code(self) -> str:
        return self.say_groups(self.digit_string(6), (2, 2, 2))

    def ssn(self) -> str:
        area = f"{self.rng.randint(1, 899):03d}"
        return self.say_groups(area + f"{self.rng.randint(1, 99):02d}" + f"{self.rng.randint(1, 9999):04d}",
                               (3, 2, 4))

    def letters(self, n: int) -> str:
        return " ".join(self.rng.choice(LETTERS) for _ in range(n))

    def iban(self) -> str:
        country = self.rng.choice(["g b", "d e", "f r", "i e", "n l", "e s"])
        return (f"{country} {self.say_digits(self.digit_string(2))} {self.letters(4)} "
                f"{self.say_groups(self.digit_string(14), (4, 4, 4, 2))}")

    def passport(self) -> str:
        if self.rng.random() < 0.5:
            return self.say_digits(self.digit_string(9))
        return f"{self.letters(1)} {self.say_digits(self.digit_string(8))}"

    def id_number(self) -> str:
        return f"{self.letters(self.rng.choice((1, 2, 3)))} {self.say_digits(self.digit_string(self.rng.randint(5, 8)))}"

    def plate(self) -> str:
        return f"{self.letters(3)} {self.say_digits(self.digit_string(self.rng.choice((3, 4))))}"

    def email(self) -> str:
        first, last = self.first(), self.last()
        user = self.rng.choice([f"{first} dot {last}", f"{first}{last}", f"{first[0]} {last}",
                                f"{first} underscore {last}", f"{last} {cardinal(self.rng.randint(1, 99))}",
                                f"{first} {self.say_digits(self.digit_string(2))}"]).replace("'", "")
        return f"{user} at {self.rng.choice(EMAIL_DOMAINS)}"

    def house_number(self) -> str:
        n = self.rng.choice([self.rng.randint(1, 99), self.rng.randint(100, 9999)])
        if n >= 1000 and self.rng.random() < 0.6:
            return self.say_group(str(n)) if self.rng.random() < 0.5 else year(n)
        return cardinal(n)

    def street(self) -> str:
        return f"{self.rng.choice(STREETS)} {self.rng.choice(STREET_KINDS)}"

    def address(self) -> str:
        return f"{self.house_number()} {self.street()}"

    def city(self) -> str:
        return self.rng.choice(CITIES)

    def zip(self) -> str:
        return self.say_digits(self.digit_string(5))

    def postcode(self) -> str:
        return (f"{self.letters(2)} {cardinal(self.rng.randint(1, 20))} "
                f"{cardinal(self.rng.randint(1, 9))} {self.letters(2)}")

    def month(self) -> str:
        return self.rng.choice(MONTHS)

    def weekday(self) -> str:
        return self.rng.choice(WEEKDAYS)

    def day(self) -> str:
        d = ordinal(self.rng.randint(1, 28))
        m = self.month()
        return self.rng.choice([f"the {d} of {m}", f"{m} {d}", f"{m} the {d}"])

    def year(self) -> str:
        return year(self.rng.randint(1930, 2030))

    def date(self) -> str:
        return f"{self.day()} {self.year()}"

    def dob(self) -> str:
        if self.rng.random() < 0.3:  # numeric, e.g. "oh four twelve nineteen eighty two"
            return (f"{self.say_digits(f'{self.rng.randint(1, 12):02d}')} "
                    f"{self.say_digits(f'{self.rng.randint(1, 28):02d}')} {year(self.rng.randint(1930, 2008))}")
        return f"{self.day()} {year(self.rng.randint(1930, 2008))}"

    def time(self) -> str:
        h, m = self.rng.randint(1, 12), self.rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50, self.rng.randint(1, 59)])
        hour = cardinal(h)
        style = self.rng.random()
        if style < 0.2 and m in (15, 30, 45):
            return {15: f"quarter past {hour}", 30: f"half past {hour}",
                    45: f"quarter to {cardinal(h % 12 + 1)}"}[m]
        if m == 0:
            spoken = self.rng.choice([f"{hour} o'clock", hour])
        elif m < 10:
            spoken = f"{hour} oh {cardinal(m)}"
        else:
            spoken = f"{hour} {cardinal(m)}"
        return spoken + self.rng.choice(["", " am", " pm", " in the morning", " in the afternoon", " tonight"])

    def money(self) -> str:
        unit, minor = self.rng.choice([("dollar", "cent"), ("pound", "pence"), ("euro", "cent")])
        whole = self.rng.choice([self.rng.randint(1, 99), self.rng.randint(100, 999), self.rng.randint(1000, 25000)])
        spoken = f"{cardinal(whole)} {unit}{'' if whole == 1 else 's'}"
        if self.rng.random() < 0.4:
            cents = self.rng.randint(1, 99)
            cents_unit = minor if minor == "pence" or cents == 1 else minor + "s"
            spoken += self.rng.choice([f" and {cardinal(cents)} {cents_unit}", f" {cardinal(cents)}"])
        return spoken

    def age(self) -> str:
        return cardinal(self.rng.randint(18, 95))

    def number(self) -> str:
        return cardinal(self.rng.randint(2, 60))

    def company(self) -> str:
        return self.rng.choice(COMPANIES)


def luhn_check_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


# One sentence shape each. Slots are Speaker methods; {first}/{last} may repeat and are drawn independently.
TEMPLATES = [
    "hi my name is {first} {last} and i'm calling about my account",
    "my phone number is {phone}",
    "can i take your card number please yes it's {card}",
    "my social security number is {ssn}",
    "please send it to {email}",
    "i live at {address} in {city}",
    "my date of birth is {dob}",
    "the meeting is on {weekday} at {time}",
    "could you spell your last name for me sure it's {last} {spell_last}",
    "the account number is {account} and the sort code is {sort_code}",
    "good morning you're through to {company} customer service this is {first} how can i help",
    "i'd like to transfer {money} to account {account}",
    "my zip code is {zip}",
    "she's {age} years old and her name is {first}",
    "the iban is {iban}",
    "my passport number is {passport}",
    "can you call me back on {phone} after {time}",
    "yeah so {first} said the invoice for {money} is overdue",
    "we need to reschedule {first}'s appointment to {date}",
    "his email address is {email} and his phone is {phone}",
    "hello this is {first} {last} from {company} returning your call",
    "the card expires in {month} {year} and the security code is {cvv}",
    "i was born on {dob} in {city}",
    "our office is at {address} {city} {zip}",
    "the postcode is {postcode}",
    "okay let me read that back to you {card}",
    "right so that's {first} {last} at {address}",
    "the reference number for your claim is {id_number}",
    "my driver's license number is {id_number}",
    "the total comes to {money}",
    "i paid {money} on {date}",
    "can i have your full name please it's {first} {last}",
    "is that {last} with {spell_last_letter} yes {spell_last}",
    "you can reach {first} on {phone} or by email at {email}",
    "we moved to {address} back in {year}",
    "my husband {first} is {age} and i'm {age}",
    "let's meet {weekday} at {time} in the conference room",
    "the flight leaves on {date} at {time}",
    "the patient's name is {first} {last} date of birth {dob}",
    "the license plate was {plate}",
    "could you confirm the last four digits of your card {card_last4}",
    "thanks {first} i've updated your address to {address}",
    "um so my number is {phone} sorry {phone}",
    "the new pin is {pin}",
    "please wire {money} to iban {iban}",
    "i'm calling on behalf of my mother {first} {last} she's {age}",
    "the delivery is booked for {date} between {time} and {time}",
    "send the contract to {first} at {email}",
    "my employee id is {id_number}",
    "{first} {last} joined the team in {month} {year}",
    "can you repeat the number please {phone}",
    "it's {first} {last} {spell_first} {spell_last}",
    "the rent of {money} is due on the {ordinal_day}",
    "i need to cancel the card ending in {card_last4}",
    "welcome to the front desk may i have your name and date of birth {first} {last} {dob}",
    "the tax id on the form is {ssn}",
    "we'll ship it to {address} {city} {zip} by {weekday}",
    "okay {first} your booking reference is {id_number}",
    "my mobile is {phone} and my landline is {phone}",
    "that'll be {money} please",
    "so in the meeting {first} mentioned that {first} {last} would take over on {date}",
    "the password reset code is {pin}",
    "my account was opened on {date}",
    "please update my email to {email}",
    "i think {first} lives on {street} near the station",
    "the invoice number is {account} dated {date}",
    "yes my card number is {card} expiry {month} {year}",
    "our new address is {address} {postcode}",
    "the appointment is at {time} on {weekday} the {ordinal_day}",
    "my son {first} turns {age} on {date}",
    "is this {first} speaking yes who's calling it's {first} from {company}",
    "the routing number is {account}",
    "i'm {age} years old and i live in {city}",
    "let me give you my details name {first} {last} phone {phone}",
    "we received a payment of {money} from {first} {last}",
    "can you spell that please {spell_last}",
    "the meeting room is booked from {time} to {time}",
    "my national insurance number is {ni_number}",
    "you can email me at {email} anytime",
    "the caller gave her name as {first} {last} and her number as {phone}",
    "my old address was {address} in {city}",
    "the total for the year was {money}",
    "hey it's {first} can you call me back at {phone}",
    "she was born in {year} so she's {age} now",
    "the customer's account ending {card_last4} was charged {money}",
    "hi i'm {first} i have an appointment at {time}",
    "could you read me the passport number again {passport}",
    "the document number on the id card is {id_number}",
    "the deadline is {date}",
    "please confirm your identity with your date of birth and postcode {dob} {postcode}",
    "i spoke to {first} {last} on {weekday} about the {money} refund",
    "my card number is {card} and the name on the card is {first} {last}",
    "the package was delivered to {address} at {time}",
    "we've got {number} people coming on {date}",
    "it's spelled {spell_first} {first}",
    "{first} can you take notes today thanks",
    "her social is {ssn} and her date of birth is {dob}",
    "the balance on account {account} is {money}",
    "meet me at {address} at {time}",
    "call {first} {last} at {phone} about the contract",
    "the new hire {first} {last} starts on {date}",
    "the order number is {account} placed on {date}",
    "i was charged {money} twice on {date}",
    "can i get a callback on {phone} please my name is {first}",
    "the customer's email is {email}",
    "our records show your date of birth as {dob} is that correct",
    "my bank details are sort code {sort_code} account number {account}",
    "yes it's {address} {city} {zip}",
    "the visitor signed in as {first} {last} from {company} at {time}",
    "your verification code is {pin}",
    "i want to dispute the charge of {money} from {date}",
    "the contact for this project is {first} {last} {email}",
    "{first} {last} is {age} and lives at {address}",
    "the loan of {money} was approved on {date}",
    "please have {first} call me at {phone} before {time}",
    "my member number is {account}",
    "i'm at {address} the door code is {pin}",
    "the hearing is scheduled for {date} at {time}",
    "so the figure we agreed was {money} right",
    "your table for {number} is booked under {last} for {time}",
    "i need a taxi to {address} at {time}",
    "my maiden name is {last} {spell_last}",
    "the policy number is {id_number}",
    "it was {year} when {first} and {first} moved to {city}",
    "could you give me the iban again {iban}",
    "her passport expires on {date}",
    "yes the last four of my social are {ssn_last4}",
    "the guest in room {room} is {first} {last}",
    "we'll send a technician to {address} on {weekday} at {time}",
    "the amount due is {money} by {date}",
    "this is a message for {first} {last} please call {phone}",
    "my new card is {card}",
    "the meeting with {first} has moved to {time} {weekday}",
    "i'm calling from {city} my number is {phone}",
    "that's {spell_first} for {first} and {spell_last} for {last}",
    "he's {age} his birthday is {day}",
    "put it on the card ending {card_last4} please",
    "the claim is for {money} and the claim number is {id_number}",
    "her email is {email} all lowercase",
    "the shipment left {city} on {date}",
    "we're at {address} the postcode is {postcode}",
    "the appointment for {first} {last} is confirmed for {date} at {time}",
    "my date of birth {dob} and my zip {zip}",
    "so i rang {first} at {time} and she said {money} was fine",
    "the number you need is {phone} ask for {first}",
    "i'd like to update my phone number to {phone}",
    "the serial number is {id_number}",
    "you owe {first} {money} for the tickets",
    "the last payment of {money} was received on {date}",
    "the caller's date of birth is {dob} and postcode {postcode}",
    "my address is {address} apartment {room} {city}",
    "the form lists {first} {last} born {dob} social {ssn}",
    "ok the code is {pin} and it expires at {time}",
    "she paid with card {card} on {date}",
    "the fax number is {phone}",
    "our accountant {first} {last} can be reached at {email}",
    "i'm {first} {last} i'm {age} and my phone is {phone}",
    "minutes from {weekday}'s meeting {first} will send the figures by {date}",
    "sorry was that {spell_last} or {spell_last}",
]


class Filler(Speaker):
    """Speaker plus the derived slots templates use."""

    def spell_first(self) -> str:
        return self.spell(self.first())

    def spell_last(self) -> str:
        return self.spell(self.last())

    def spell_last_letter(self) -> str:
        return self.rng.choice(["an", "a", "two", "double", "one"]) + " " + self.rng.choice(LETTERS)

    def cvv(self) -> str:
        return self.say_digits(self.digit_string(3))

    def pin(self) -> str:
        return self.say_digits(self.digit_string(self.rng.choice((4, 6))))

    def card_last4(self) -> str:
        return self.say_group(self.digit_string(4))

    def ssn_last4(self) -> str:
        return self.say_digits(self.digit_string(4))

    def ni_number(self) -> str:
        return f"{self.letters(2)} {self.say_digits(self.digit_string(6))} {self.rng.choice('abcd')}"

    def ordinal_day(self) -> str:
        return ordinal(self.rng.randint(1, 31))

    def room(self) -> str:
        return self.rng.choice([cardinal(self.rng.randint(1, 60)), self.say_digits(self.digit_string(3))])


def templates_for(split: str):
    keep_held_out = split == "heldout"
    return [t for i, t in enumerate(TEMPLATES) if (i % HELD_OUT_TEMPLATE_EVERY == HELD_OUT_TEMPLATE_EVERY - 1)
            == keep_held_out]


# The entity type each slot fills (slots not listed are not personal data: times, money, weekdays...).
SLOT_TYPES = {
    "first": "PERSON", "last": "PERSON", "spell_first": "PERSON", "spell_last": "PERSON",
    "phone": "PHONE_NUMBER", "card": "CREDIT_CARD", "card_last4": "CREDIT_CARD", "cvv": "CREDIT_CARD",
    "ssn": "US_SSN", "ssn_last4": "US_SSN", "email": "EMAIL_ADDRESS", "iban": "IBAN_CODE",
    "account": "BANK_ACCOUNT", "sort_code": "BANK_ACCOUNT", "address": "STREET_ADDRESS",
    "street": "STREET_ADDRESS", "city": "LOCATION", "zip": "ZIP_CODE", "postcode": "ZIP_CODE",
    "dob": "DATE_OF_BIRTH", "age": "AGE", "passport": "PASSPORT", "ni_number": "US_SSN",
}
# Identifier slots whose type depends on what the sentence calls them; other id numbers are not tagged.
ID_CONTEXT_TYPES = (("driver's license", "US_DRIVER_LICENSE"), ("passport", "PASSPORT"))


def slot_type(field: str, template: str):
    if field == "id_number":
        return next((t for phrase, t in ID_CONTEXT_TYPES if phrase in template), None)
    if field in ("account",) and any(w in template for w in ("invoice", "order number")):
        return None  # an invoice or order number identifies a document, not a person
    return SLOT_TYPES.get(field)


def fill_tagged(template: str, filler: Filler):
    """The filled sentence and one BIO label per word; adjacent slots of one type (first + last) form one entity.

    A word takes the type of the slot it starts in ("{first}'s" is a PERSON word)."""
    import string

    text, spans = "", []  # spans: (start, end, type) of typed slot values in text
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        text += literal
        if field is None:
            continue
        value = getattr(filler, field)()
        kind = slot_type(field, template)
        if kind is not None:
            spans.append((len(text), len(text) + len(value), kind))
        text += value
    labels, offset, previous = [], 0, None  # previous: the span the last word belonged to
    for word in text.split():
        offset = text.index(word, offset)
        span = next((sp for sp in spans if sp[0] <= offset < sp[1]), None)
        if span is None:
            labels.append("O")
        else:
            joined = previous is not None and (previous == span or (previous[2] == span[2] and
                                                                   not text[previous[1]:span[0]].strip()))
            labels.append(("I-" if joined else "B-") + span[2])
        previous = span
        offset += len(word)
    return text, labels


def fill(template: str, filler: Filler) -> str:
    return fill_tagged(template, filler)[0]


def template_sentences(split: str, count: int, seed: int):
    """(sentence, BIO labels) pairs."""
    rng = random.Random(f"{split}:{seed}")
    filler = Filler(rng, held_out=split == "heldout")
    templates = templates_for(split)
    for _ in range(count):
        sentence, labels = fill_tagged(rng.choice(templates), filler)
        spoken = normalise(sentence)
        if spoken != sentence:  # templates are written in spoken form already; anything else is a bug here
            raise AssertionError(f"template produced non-spoken text: {sentence!r}")
        yield spoken, labels


def speech_sentences(tsv_path: str, split: str):
    """Real transcripts, labelled as holding no personal data (read books: their names are characters')."""
    for corpus, utt_id, _rel, text in read_speech_tsv(tsv_path):
        if is_held_out(corpus, utt_id, text) == (split == "heldout"):
            spoken = normalise(text)
            if spoken:
                yield spoken, ["O"] * len(spoken.split())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("train", "heldout"), required=True)
    parser.add_argument("--count", type=int, required=True, help="number of template sentences")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--speech-tsv", help="also emit the normalised transcripts of this split of speech.tsv")
    parser.add_argument("--words", help="word list output (default OUT.words)")
    parser.add_argument("--tags", help="BIO labels output, one line per sentence")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")

    lines = list(template_sentences(args.split, args.count, args.seed))
    if args.speech_tsv:
        general = list(speech_sentences(args.speech_tsv, args.split))
        lines += general
        random.Random(f"shuffle:{args.split}:{args.seed}").shuffle(lines)
    with open(args.out, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line, _labels in lines)
    if args.tags:
        with open(args.tags, "w", encoding="utf-8") as f:
            f.writelines(" ".join(labels) + "\n" for _line, labels in lines)
    words = Counter(w for line, _labels in lines for w in line.split())
    with open(args.words or args.out + ".words", "w", encoding="utf-8") as f:
        f.writelines(f"{w}\t{n}\n" for w, n in sorted(words.items(), key=lambda kv: (-kv[1], kv[0])))
    print(f"wrote {len(lines)} sentences ({args.count} templated, {len(lines) - args.count} from speech) and "
          f"{len(words)} distinct words to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
