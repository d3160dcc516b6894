// The detector shapes of issue 14, with examples written for these tests (none from an evaluation set): addresses
// as a structure in many languages, names after labels, questions (and in answers to them), initials, "X speaking"
// and "X was born", postcodes and
// phone numbers of other lengths with their cue words, "point" for "dot", country-code domains, accents; ordinary
// sentences with the same cue words stay; bad input (empty, huge, non-ASCII, written digits) gives a clear result.
import t from 'tap';
import { createRedactor } from '../redaction/index.js';
import { SessionRedactor } from '../redaction/session.js';
import { PiiTagger } from '../redaction/tagger.js';
import { runInMemory } from './fixtures/cli/run.js';

const redactor = createRedactor();
const redact = (text: string) => redactor.redact(text).text;

t.test('street addresses as a structure: number, unknown-word street, street type of another language, unit, place, in any order', async (t) => {
  t.equal(redact('the flat is at forty two rua augusta apartment three porto portugal'), 'the flat is at [STREET_ADDRESS]');
  t.equal(redact('ship to seven via roma flat two milano'), 'ship to [STREET_ADDRESS]');
  t.equal(redact('our office is located at one hundred five jalan sudirman jakarta'), 'our office is located at [STREET_ADDRESS]');
  t.equal(redact('billing address is forty one quai des celestins lyon france'), 'billing address is [STREET_ADDRESS]');
  t.equal(
    redact('the depot is at three thousand one hundred twelve am lindenhof forty two suite five hundred six wettingen switzerland'),
    'the depot is at [STREET_ADDRESS]',
  );
  t.equal(redact('we live at twelve clematisvej'), 'we live at [STREET_ADDRESS]', 'a compound street name (-vej) after an address cue');
  t.equal(redact('send it to ulica kwiatowa twelve flat three krakow'), 'send it to [STREET_ADDRESS]');
});

t.test('addresses without an English street type: "n o" house numbers, prefix street types, floor sides, Slavic street adjectives', async (t) => {
  t.equal(redact('the parcel is for jl melati n o twelve bandung'), 'the parcel is for [STREET_ADDRESS]', 'Indonesian jl + "n o" (numero)');
  t.equal(redact('she lives at dk sekarwangi n o forty one'), 'she lives at [STREET_ADDRESS]', 'dk (dukuh) before an unknown street name');
  t.equal(redact('the office moved to hjortevej nine th aarhus'), 'the office moved to [STREET_ADDRESS]', 'Danish floor side "th"');
  t.equal(redact('write to kossuth liget fourteen em two'), 'write to [STREET_ADDRESS]', 'Hungarian liget and "em" (floor)');
  t.equal(redact('post it to borkovska seventeen in brno'), 'post it to [STREET_ADDRESS] in [LOCATION]', 'a Slavic street adjective (-ska)');
  t.equal(redact('please ship it to haralds gate twenty one'), 'please ship it to [STREET_ADDRESS]', 'Norwegian "<name>s gate <number>"');
  t.equal(redact('the form says skovbrynet seven tolne nine eight seven zero'), 'the form says [STREET_ADDRESS]', 'street, number, town, postcode');
  t.equal(redact('deliver it to eleven quarry road new okonkwo'), 'deliver it to [STREET_ADDRESS]', 'a town after an English street type');
});

t.test('places the gazetteers lack after a place cue, and postcodes with a country letter prefix', async (t) => {
  t.equal(redact('she was born in fort kalamba and raised in peru'), 'she was born in [LOCATION] and raised in [LOCATION]');
  t.equal(redact('he grew up in ivanska grad near the river'), 'he grew up in [LOCATION] near the river');
  t.equal(redact('the farm is near riga l v one zero five zero'), 'the farm is near [LOCATION] [ZIP_CODE]', 'LV-1050 said letter by letter');
});

t.test('URLs after "at", with any first word after www, double dashes and Austria\'s "dot at"', async (t) => {
  t.equal(redact('the shop is at www dot the dash blue dash kettle dot com'), 'the shop is at [URL]');
  t.equal(redact('go to www dot example dot com slash help'), 'go to [URL]', '"www" is a URL, not an unknown name after "to"');
  t.equal(redact('see rainy dash dash day dot net for more'), 'see [URL] for more');
  t.equal(redact('the page is quiet dash harbour dot at if you like'), 'the page is [URL] if you like');
  t.equal(redact('find us at www dot schnee dot at'), 'find us at [URL]');
});

t.test('the same words in ordinary speech are left alone', async (t) => {
  for (const text of [
    'we met at the gate twenty minutes later',
    'the story of the new world begins in the east',
    'she stayed in the north wing for two nights',
    'the whole gang came two days early',
    'there was a red dot at the top',
    'she looked at the dot at the end',
  ]) {
    t.equal(redact(text), text);
  }
});

t.test('address words in ordinary speech are left alone', async (t) => {
  for (const text of [
    'he spoke at the court on one occasion',
    'i live at the end of the road',
    'there was only one hiding place in the room',
    'we met at the corner of the park',
    'the address on the envelope was smudged',
  ]) {
    t.equal(redact(text), text);
  }
});

t.test('names after form labels, questions, "X speaking" and initials', async (t) => {
  t.equal(redact('name piet de vries phone six one two three four five six seven'), 'name [PERSON] phone [PHONE_NUMBER]');
  t.equal(redact("what's your name . ngozi o adeyemi"), "what's your name . [PERSON]");
  t.equal(redact('kowalczyk speaking'), '[PERSON] speaking');
  t.equal(redact('good afternoon marta lindqvist speaking how can i help'), 'good afternoon [PERSON] speaking how can i help');
  t.equal(redact("anyway it's k m okafor"), "anyway it's [PERSON]");
  t.equal(redact('the caller said teodor vasilescu was late'), 'the caller said [PERSON] was late');
  for (const text of ['the name of the rose is a novel', 'speaking of which the rain stopped', 'who am i speaking with']) t.equal(redact(text), text);
});

t.test('names answering a question about a name, in greetings with initials, and before "was born"', async (t) => {
  t.equal(redact('could you spell your last name for me . sure it is k o w a l s k a'), 'could you spell your last name for me . sure it is [PERSON]');
  t.equal(redact("may i have the name on the account please . it's ingrid solheim"), "may i have the name on the account please . it's [PERSON]");
  t.equal(redact('hi its d okoro here about the parcel'), 'hi its [PERSON] here about the parcel', 'an initial inside the greeting');
  t.equal(redact('e varga was born in a small village near the river'), '[PERSON] was born in a small village near the river');
  t.equal(redact('a tshabalala was born in winter'), '[PERSON] was born in winter', '"a" as an initial before a name that is no word');
  for (const text of [
    'the baby was born at night',
    'she was born in march',
    'a child was born here',
    'what is the name of the street . it is long',
    'the name of the game is patience . it is hard',
    'i am over here',
  ])
    t.equal(redact(text), text);
});

t.test('postcodes and phone numbers of other lengths, with their cue words', async (t) => {
  t.equal(redact('postcode one two three four'), 'postcode [ZIP_CODE]', 'four digits');
  t.equal(redact('the postal code is four double two nine seven six'), 'the postal code is [ZIP_CODE]', 'six digits');
  t.equal(redact('we are in berlin one zero one one five'), 'we are in [LOCATION] [ZIP_CODE]', 'after a place');
  t.equal(redact('we are in kowalowice four three one two'), 'we are in [LOCATION] [ZIP_CODE]', 'after a town no gazetteer lists');
  t.equal(redact('where in eighteen oh five the total rose'), 'where in eighteen oh five the total rose', 'a year after "in"');
  t.equal(redact('he came from brzeziny in nineteen oh five'), 'he came from [LOCATION] in nineteen oh five');
  t.equal(redact('ring me on four four five one two three'), 'ring me on [PHONE_NUMBER]', 'six digits after "ring"');
  t.equal(redact('my landline is oh one two three four five six seven eight'), 'my landline is [PHONE_NUMBER]');
  t.equal(redact('my order number is four five six seven'), 'my order number is four five six seven', 'a reference number');
  t.equal(redact('we sold one two three four five units'), 'we sold one two three four five units');
});

t.test('IPs, emails and domains said with "point" and country-code domains', async (t) => {
  t.equal(redact('the camera is at ten point zero point zero point five'), 'the camera is at [IP_ADDRESS]');
  t.equal(redact('email me at jan point novak at post point cz'), 'email me at [EMAIL_ADDRESS]');
  t.equal(redact('the site is kowalski dot pl slash kontakt'), 'the site is [URL]');
  t.equal(redact('the point is to go home'), 'the point is to go home');
});

t.test('non-ASCII input is folded before matching; offsets stay on the input', async (t) => {
  const text = 'ich wohne in der Müllerstraße 12 in Zürich';
  const result = redactor.redact(text);
  const address = result.entities.find((e) => e.type === 'STREET_ADDRESS');
  t.ok(address, 'the accented street is found');
  t.match(text.slice(address!.start, address!.end), /Müllerstraße 12$/);
  t.notMatch(result.text, /Müller|Zürich/);
  t.equal(redact("it's Zoë Ødegård calling"), "it's [PERSON] calling");
  t.equal(redact('东京 你好'), '东京 你好', 'a script with no ASCII letters is left as it is');
});

t.test('bad input gives a clear result and no crash', async (t) => {
  t.same(redactor.redact(''), { text: '', entities: [], dropped: false });
  t.same(redactor.redact('   \t '), { text: '   \t ', entities: [], dropped: false });
  t.equal(redact('my card is 4111 1111 1111 1111'), 'my card is [CREDIT_CARD]', 'digits in written form');
  t.equal(redact('call me on 020 7946 0018'), 'call me on [PHONE_NUMBER]');
  // 10,000 words with a name and a phone number in the middle: the rules and the tagger both finish.
  const filler = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? 'the' : 'weather')).join(' ');
  const huge = `${filler} my name is oksana hrytsenko and my number is two zero two five five five zero one four three ${filler}`;
  t.ok(huge.split(' ').length > 10_000);
  const tagger = await PiiTagger.load();
  const session = new SessionRedactor({}, { tagger });
  const result = await session.redact(huge);
  await tagger.close();
  t.notMatch(result.text, /oksana|hrytsenko|two zero two five/);
  t.equal(result.text.split(' ').filter((w) => w === 'weather').length, huge.split(' ').filter((w) => w === 'weather').length, 'no ordinary word is lost');
});

t.test('hushscribe redact: empty lines stay lines, one output line per input line', async (t) => {
  const input = ['', 'my name is oksana hrytsenko', '', '   ', 'no personal data here'].join('\n');
  const { code, out } = await runInMemory(['redact', '--detectors', 'rules'], { stdin: `${input}\n` });
  t.equal(code, 0);
  t.same(out.split('\n').slice(0, -1), ['', 'my name is [PERSON]', '', '   ', 'no personal data here']);
});
