/**
 * A second held-out set (`npm run eval -- redaction --set fresh`), written on 2026-11-22 before the person and
 * place cues of that day were added to the recognizers, to check that changes made after looking at the first
 * set's misses generalise: new sentence templates for every type, new negatives (several with the cue words in
 * ordinary use), and names and places from faker locales used nowhere else (pt_BR, nl, pl, tr, sv, vi, en_GH, fi;
 * MIT), none in the gazetteers or in the first set.
 */
import type { EntityType } from '../../redaction/types.js';
import { below100, type Generator, ibanFor, luhnComplete, ONES, ORDINALS, type Part, sayCode, spokenDate, spokenIp } from './spoken-values.js';

const FIRST =
  'sirineu isis murilo nubia joaquim guilherme jet maurits sil youp mirte kacper leonid rafa filemon antoni wawrzyniec alperen ilhami remzi sayan inger annmarie goran anette ulla afua adwoa aba kwesi akua lawrencia tuomas marja mikael juhani kyllikki pauliina'.split(
    ' ',
  );
const LAST =
  'batista pereira souza braga nogueira melo terlouw hermans martens oosterhuis kuypers boer janus kucharski kopec jankowiak wojtowicz ozkara kose aksit bolukbas aktas lundberg blomqvist bengtsson andreasson nordin berglund trinh pham ngo phung afirifa badu opuku danso agyare duah mattila salo rasanen jokinen jarvinen ahonen'.split(
    ' ',
  );
const PLACES =
  'jawor suprasl jordanow siemiatycze hakkari erzurum rize haiphong vinh hanoi bolgatanga kpeve adiembra denyame vaasa rovaniemi valkeakoski pori'.split(' ');
const STREET_NAMES = ['birch', 'willow bank', 'market', 'chapel', 'riverside', 'quarry', 'north', 'albert', 'hawthorn', 'meadow'];
const STREET_SUFFIXES = ['street', 'road', 'avenue', 'lane', 'drive', 'way', 'terrace', 'gardens', 'grove', 'row'];
const DOMAINS = ['gmail dot com', 'hotmail dot co dot uk', 'icloud dot com', 'firm dot nl', 'post dot example dot net'];

const person = (s: Parameters<Generator>[0]): string => (s.random() < 0.5 ? `${s.pick(FIRST)} ${s.pick(LAST)}` : s.pick(FIRST));

export const FRESH_GENERATORS: Record<EntityType, Generator> = {
  PERSON: (s) =>
    s.pick<Part[]>([
      ['please pass this note to', ['PERSON', s.pick(FIRST)], 'in accounts'],
      ['the parcel was signed for by', ['PERSON', person(s)]],
      ['i have a message from', ['PERSON', person(s)]],
      ['can i speak with', ['PERSON', person(s)], 'please'],
      ['hi this is', ['PERSON', person(s)], 'from the council'],
      ['my neighbour', ['PERSON', s.pick(FIRST)], 'has the spare key'],
      ['say hello to', ['PERSON', s.pick(FIRST)], 'for me'],
      [['PERSON', person(s)], 'will call you back tomorrow'],
      ['the nurse who saw me was', ['PERSON', s.pick(LAST)]],
    ]),
  PHONE_NUMBER: (s) => {
    const nanp = `${s.digits(1, '23456789')}${s.digits(2)}${s.digits(1, '23456789')}${s.digits(6)}`;
    const uk = `07${s.digits(9)}`;
    return s.pick<Part[]>([
      ['my mobile is', ['PHONE_NUMBER', s.say(uk)]],
      ['text me on', ['PHONE_NUMBER', s.say(nanp)]],
      ['the number to ring is', ['PHONE_NUMBER', s.say(nanp)]],
      ['reach her at', ['PHONE_NUMBER', s.say(nanp)], 'in the evening'],
    ]);
  },
  EMAIL_ADDRESS: (s) => {
    const local = s.pick([s.pick(FIRST), `${s.pick(FIRST)} dot ${s.pick(LAST)}`, `${s.pick(LAST)} ${s.say(s.digits(2))}`]);
    const email = `${local} at ${s.pick(DOMAINS)}`;
    return s.pick<Part[]>([
      ['send the invoice to', ['EMAIL_ADDRESS', email]],
      ['my email address is', ['EMAIL_ADDRESS', email]],
      ['you can write to', ['EMAIL_ADDRESS', email], 'any time'],
    ]);
  },
  CREDIT_CARD: (s) => {
    const prefix = s.pick(['4', '51', '55', '6011']);
    const card = luhnComplete(prefix + s.digits(15 - prefix.length));
    return s.pick<Part[]>([
      ['card number', ['CREDIT_CARD', s.say(card)]],
      ['i will pay with', ['CREDIT_CARD', s.say(card)]],
      ['use the card', ['CREDIT_CARD', s.say(card)], 'please'],
    ]);
  },
  US_SSN: (s) => {
    const ssn = `${s.digits(1, '12345678')}${s.digits(2, '123456789')}${s.digits(2, '123456789')}${s.digits(4, '123456789')}`;
    return s.pick<Part[]>([
      ['for the tax form my social security number is', ['US_SSN', s.say(ssn)]],
      ['social', ['US_SSN', s.say(ssn)]],
      ['s s n', ['US_SSN', s.say(ssn)], 'okay'],
    ]);
  },
  IBAN_CODE: (s) => {
    const iban = s.pick([
      ibanFor('NL', `${s.pick(['INGB', 'RABO', 'ABNA'])}${s.digits(10)}`),
      ibanFor('DE', s.digits(18)),
      ibanFor('GB', `${s.pick(['HBUK', 'MIDL'])}${s.digits(14)}`),
    ]);
    return s.pick<Part[]>([
      ['the i b a n is', ['IBAN_CODE', sayCode(s, iban)]],
      ['transfer it to', ['IBAN_CODE', sayCode(s, iban)]],
      ['my bank details are', ['IBAN_CODE', sayCode(s, iban)]],
    ]);
  },
  BANK_ACCOUNT: (s) => {
    const account = s.digits(s.pick([8, 9, 11]), '123456789');
    return s.pick<Part[]>([
      ['account number', ['BANK_ACCOUNT', s.say(account)]],
      ['wire it to account', ['BANK_ACCOUNT', s.say(account)]],
      ['my current account is', ['BANK_ACCOUNT', s.say(account)]],
    ]);
  },
  STREET_ADDRESS: (s) => {
    const house = String(1 + Math.floor(s.random() * 1999));
    const street = `${s.say(house)} ${s.pick(STREET_NAMES)} ${s.pick(STREET_SUFFIXES)}`;
    return s.pick<Part[]>([
      ['i live at', ['STREET_ADDRESS', street]],
      ['send the letters to', ['STREET_ADDRESS', street]],
      ['the shop is at', ['STREET_ADDRESS', street]],
    ]);
  },
  ZIP_CODE: (s) => {
    const zip = s.digits(5, '123456789');
    return s.pick<Part[]>([
      ['my zip code is', ['ZIP_CODE', s.say(zip)]],
      ['postcode', ['ZIP_CODE', s.say(zip)], 'i think'],
    ]);
  },
  LOCATION: (s) =>
    s.pick<Part[]>([
      ['we moved here from', ['LOCATION', s.pick(PLACES)]],
      ['i work in', ['LOCATION', s.pick(PLACES)]],
      ['the conference is in', ['LOCATION', s.pick(PLACES)], 'next year'],
      ['my brother lives near', ['LOCATION', s.pick(PLACES)]],
      ['we drove through', ['LOCATION', s.pick(PLACES)], 'at night'],
      ['she was born in', ['LOCATION', s.pick(PLACES)]],
    ]),
  DATE_OF_BIRTH: (s) => {
    const date = spokenDate(s, 1945 + Math.floor(s.random() * 60));
    return s.pick<Part[]>([
      ['born on', ['DATE_OF_BIRTH', date]],
      ['date of birth', ['DATE_OF_BIRTH', date]],
      ['my birthday is', ['DATE_OF_BIRTH', date]],
    ]);
  },
  AGE: (s) => {
    const age = below100(18 + Math.floor(s.random() * 70));
    return s.pick<Part[]>([
      ['she is', ['AGE', age], 'years old'],
      ['aged', ['AGE', age]],
      ['he will be', ['AGE', age], 'years old in may'],
    ]);
  },
  IP_ADDRESS: (s) => {
    const ip = spokenIp(s, [10, 192, 100, 8]);
    return s.pick<Part[]>([
      ['the server address is', ['IP_ADDRESS', ip]],
      ['ping', ['IP_ADDRESS', ip]],
      ['my i p is', ['IP_ADDRESS', ip]],
    ]);
  },
  US_DRIVER_LICENSE: (s) => {
    const dl = `${s.letters(s.pick(['c', 'd', 'm', 's']))} ${s.say(s.digits(8))}`;
    return s.pick<Part[]>([
      ['driver license', ['US_DRIVER_LICENSE', dl]],
      ['my licence reads', ['US_DRIVER_LICENSE', dl]],
    ]);
  },
  PASSPORT: (s) => {
    const p = s.say(s.digits(9, '123456789'));
    return s.pick<Part[]>([
      ['passport', ['PASSPORT', p], 'expires in may'],
      ['my passport number is', ['PASSPORT', p]],
    ]);
  },
  URL: (s) =>
    s.pick<Part[]>([
      ['visit', ['URL', `${s.pick(LAST)} dot net`]],
      ['the link is', ['URL', `${s.pick(LAST)} dot com slash ${s.pick(['help', 'news', 'shop'])}`]],
    ]),
};

/** No personal data; several use the words that cue names and places in ordinary senses. */
export const FRESH_NEGATIVES: Generator[] = [
  (s) => [`the bus comes every ${below100(5 + Math.floor(s.random() * 25))} minutes`],
  (s) => [`we need ${ONES[2 + Math.floor(s.random() * 8)]} hundred chairs for the hall`],
  (s) => [`i will be there at half past ${ONES[1 + Math.floor(s.random() * 11)]}`],
  (s) => [`your order number is ${s.say(s.digits(7))}`],
  (s) => [
    s.pick([
      'i sent it to the wrong address',
      'she works near the station',
      'send it to accounts',
      'we live in hope',
      'he is from the north',
      'pass this note to the manager',
    ]),
  ],
  (s) => [
    s.pick([
      'the bill came to twenty pounds',
      'we walked to the park in the rain',
      'can i speak with someone in charge',
      'say hello to everyone for me',
      'i have a message from the school',
    ]),
  ],
  (s) => [`the score was ${ONES[Math.floor(s.random() * 6)]} ${ONES[Math.floor(s.random() * 6)]} at half time`],
  (s) => [`turn to page ${below100(10 + Math.floor(s.random() * 89))} and read the ${s.pick(ORDINALS)} paragraph`],
];
