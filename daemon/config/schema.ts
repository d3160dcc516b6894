/**
 * The one source of the config: a JSON schema for config.yaml, written with TypeBox so that the TypeScript types are
 * derived from it (`Static`) instead of written a second time. Every option has a default, so an empty file (or none)
 * is a working config; ajv fills the defaults in place and HushscribeConfig is the shape after validation.
 *
 * Every setting carries its `description` and `requiresRestart` (zigbee2mqtt's habit): `requiresRestart: false`
 * marks what a running daemon applies on `config.reload` (settings.ts lists them), and the configuration
 * reference (docs/configuration.md, `hushscribe config docs`) is generated from both.
 *
 * Unions are written as JSON-schema `type` lists and `enum`s (Type.Unsafe with the TypeScript type beside them)
 * rather than TypeBox's `anyOf` unions, so that ajv reports `must be one of ...` for the option itself.
 */
import { type Static, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { type OperatorMap, operatorMapSchema, policyOptions } from '../../redaction/policy-schema.js';
import { ENTITY_TYPES, type EntityType } from '../../redaction/types.js';
import { REDACTED_AUDIO_FORMATS, REDACTED_AUDIO_MODES } from '../redacted-audio/index.js';
import { DEFAULT_LEFT_CONTEXT } from '../pipeline/left-context.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const POWER_MODES = ['dense', 'sparse', 'auto'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type PowerMode = (typeof POWER_MODES)[number];

/** The annotations every setting carries; `requiresRestart` false only where `config.reload` applies it. */
function about(description: string, requiresRestart = true): { description: string; requiresRestart: boolean } {
  return { description, requiresRestart };
}

function nullableString(description: string, options: Record<string, unknown> = { minLength: 1 }) {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], default: null, ...options, ...about(description) });
}

function oneOf<const T extends readonly (string | number)[]>(values: T, fallback: T[number], description: string) {
  return Type.Unsafe<T[number]>({ enum: [...values], default: fallback, ...about(description) });
}

/**
 * A schema from elsewhere (the redaction library's policy options) with `requiresRestart` on it, and on each
 * setting inside it when it is a group: the library knows nothing of the daemon's reloads.
 */
function needingRestart<T extends TSchema>(schema: T): T {
  if (schema.type === 'object' && schema.properties) {
    const properties = Object.fromEntries(Object.entries(schema.properties as TProperties).map(([key, child]) => [key, needingRestart(child)]));
    return { ...schema, properties };
  }
  return { ...schema, requiresRestart: true };
}

function allNeedingRestart<T extends TProperties>(properties: T): T {
  return Object.fromEntries(Object.entries(properties).map(([key, schema]) => [key, needingRestart(schema)])) as T;
}

/** A group of settings: unknown keys are errors, and a missing group is filled with its defaults. */
function section<T extends TProperties>(description: string, properties: T) {
  return Type.Object(properties, { additionalProperties: false, default: {}, description });
}

const watchSourceSchema = section('The watch folder: recordings dropped into it are transcribed exactly once.', {
  dir: nullableString('Folder to watch for dropped-in recordings; null disables the source.'),
  doneDir: nullableString('Where kept originals are moved (keepOriginals); null means `<dir>/done`.'),
  keepOriginals: Type.Boolean({
    default: false,
    ...about(
      "false: a recording's original file is deleted once its result (and redacted audio) is committed, since it holds the raw personal data. true: it is moved to doneDir and deleted with its recording by store.retention.",
    ),
  }),
  pollMs: Type.Integer({ minimum: 50, maximum: 3_600_000, default: 1000, ...about('How often the folder is listed, in milliseconds.') }),
  settleMs: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 2000,
    ...about('A file is picked up only once its size and mtime have not changed for this long (milliseconds).'),
  }),
});

const mqttSchema = section('The MQTT event stream and request topics (daemon/mqtt).', {
  url: nullableString('Broker URL (mqtt://, mqtts://, ws://, wss://); null: no MQTT at all.', { pattern: '^(mqtts?|wss?|tcp|ssl)://.+' }),
  tls: section('TLS to the broker: CA bundle, client certificate and key (PEM file paths).', {
    ca: nullableString("CA bundle (PEM file) that signed the broker's certificate; null: the system's."),
    cert: nullableString('Client certificate (PEM file) for brokers that ask for one.'),
    key: nullableString("The client certificate's private key (PEM file)."),
    rejectUnauthorized: Type.Boolean({ default: true, ...about("Check the broker's certificate; false accepts any (testing only).") }),
  }),
  username: nullableString('MQTT user name.'),
  passwordFile: nullableString('File holding the password (so it is not in the config or the environment).'),
  clientId: nullableString('MQTT client id; null: hushscribe-<deviceId>.', { minLength: 1, maxLength: 128 }),
  baseTopic: Type.String({ pattern: '^[^#+/\\u0000]+(/[^#+/\\u0000]+)*$', default: 'hushscribe', ...about('First topic level.') }),
  deviceId: nullableString('Second topic level; null: the hostname, sanitised to [a-z0-9_-].', { pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  qos: Type.Unsafe<0 | 1 | 2>({ type: 'integer', enum: [0, 1, 2], default: 1, ...about('QoS of transcripts, events, state and responses.') }),
  keepaliveSec: Type.Integer({ minimum: 5, maximum: 3600, default: 30, ...about('MQTT keep-alive interval in seconds.') }),
  protocolVersion: Type.Unsafe<4 | 5>({
    type: 'integer',
    enum: [4, 5],
    default: 5,
    ...about(
      '5: MQTT 5, which lets the broker drop oversized requests before they reach us (Maximum Packet Size); 4: MQTT 3.1.1, for brokers without MQTT 5 (requests are then size-checked only once received).',
    ),
  }),
  reconnect: section('Reconnect back-off: starts at minMs and doubles to maxMs while the broker cannot be reached.', {
    minMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 1000, ...about('First reconnect delay in milliseconds.') }),
    maxMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000, ...about('Longest reconnect delay in milliseconds.') }),
  }),
  stateIntervalSec: Type.Integer({
    minimum: 1,
    maximum: 86_400,
    default: 60,
    ...about('The retained state snapshot is published on change and at least this often (seconds).'),
  }),
  outbox: section('The events outbox in the database.', {
    maxEvents: Type.Integer({
      minimum: 10,
      maximum: 10_000_000,
      default: 100_000,
      ...about('Undelivered events kept in the database while the broker is away; beyond this the oldest are dropped (and reported).'),
    }),
  }),
  homeAssistant: section('Home Assistant MQTT discovery.', {
    enabled: Type.Boolean({ default: true, ...about('Publish retained Home Assistant discovery configs.') }),
    prefix: Type.String({ pattern: '^[^#+/\\u0000]+$', default: 'homeassistant', ...about("Home Assistant's discovery topic prefix.") }),
  }),
});

const powerSchema = section('The power governor (daemon/power): which model variant transcribes, dense or sparse.', {
  mode: oneOf(
    POWER_MODES,
    'auto',
    "dense, sparse, or auto: sparse while any signal below shows pressure, else the model's default variant (sparse for hushscribe-en-v1, so auto stays sparse).",
  ),
  intervalSec: Type.Number({
    minimum: 0.1,
    maximum: 3600,
    default: 5,
    ...about('How often `auto` looks at its signals (it also looks whenever a recording is taken from the queue).'),
  }),
  minDwellSec: Type.Number({
    minimum: 0,
    maximum: 86_400,
    default: 60,
    ...about('In `auto`, the least time between two switches, so the variant does not flap.'),
  }),
  backlog: section('Recordings waiting: sparse from enterQueued on, back to dense at leaveQueued or fewer.', {
    enterQueued: Type.Integer({ minimum: 1, maximum: 100_000, default: 4, ...about('Queued recordings from which `auto` goes sparse.') }),
    leaveQueued: Type.Integer({
      minimum: 0,
      maximum: 100_000,
      default: 1,
      ...about('Queued recordings at or below which the backlog no longer counts as pressure; below enterQueued.'),
    }),
  }),
  thermal: section('Hottest thermal zone: sparse from enterC on, dense again at leaveC or below.', {
    paths: Type.Array(Type.String({ minLength: 1 }), {
      default: ['/sys/class/thermal/thermal_zone*/temp'],
      ...about('Temperature files in millidegrees; `*` matches.'),
    }),
    enterC: Type.Number({ minimum: -50, maximum: 200, default: 75, ...about('Temperature (C) from which `auto` goes sparse.') }),
    leaveC: Type.Number({ minimum: -50, maximum: 200, default: 65, ...about('Temperature (C) at or below which heat no longer counts; below enterC.') }),
  }),
  battery: section('Running on battery.', {
    paths: Type.Array(Type.String({ minLength: 1 }), {
      default: ['/sys/class/power_supply/*/online'],
      ...about('power_supply `online` (0/1) or `status` files; `*` matches.'),
    }),
    sparseOnBattery: Type.Boolean({ default: true, ...about('On battery (no supply on mains and one on battery) means sparse.') }),
  }),
});

const liveSchema = section('Live sources (microphone, command): partial results and endpointing.', {
  partials: Type.Boolean({
    default: true,
    ...about('Publish redacted partial transcripts of the segment being spoken (MQTT `partial`, `hushscribe listen`).'),
  }),
  partialIntervalMs: Type.Integer({
    minimum: 50,
    maximum: 10_000,
    default: 250,
    ...about('A partial is decoded after each this many ms of new audio in the open segment.'),
  }),
  endpoint: section(
    'Decodes each segment ahead, once the VAD has heard decodeAheadMs of silence (again once vad.speechPadMs of silence is heard if its last word ran to the end of the audio), so no decode is left when it ends; ends it when the VAD has heard minSilenceMs of silence, or sinceLastWordMs has passed since that decode\'s last word, and that word ended at least trailingBlankMs before the end of its audio (sherpa-onnx-style trailing-blank rule), or at vad.minSilenceMs. A sentence ended at a pause goes on in the next segment, decoded after it (asr.leftContext), so a short silence costs few words (README "Live transcripts").',
    {
      enabled: Type.Boolean({ default: true, ...about('Use the trailing-blank endpoint rule; false leaves segmenting to the VAD.') }),
      minSilenceMs: Type.Integer({
        minimum: 0,
        maximum: 10_000,
        default: 160,
        ...about('Silence (ms) the VAD must have heard (counted in its 32 ms frames).'),
      }),
      trailingBlankMs: Type.Integer({
        minimum: 0,
        maximum: 10_000,
        default: 60,
        ...about("Time (ms) since the recogniser's last word ended."),
      }),
      sinceLastWordMs: Type.Integer({
        minimum: 0,
        maximum: 10_000,
        default: 256,
        ...about(
          "Or ends it this long (ms) after the decode ahead's last word, once that decode is made, where the VAD is slow to hear the silence (breath, room echo); 0: off.",
        ),
      }),
      decodeAheadMs: Type.Integer({
        minimum: 0,
        maximum: 10_000,
        default: 64,
        ...about('Silence (ms) the VAD must have heard before the segment is decoded ahead (in 32 ms VAD frames; at most vad.speechPadMs takes effect).'),
      }),
      fast: section(
        "Opt-in faster endpoint: ends a segment after a shorter silence when the recogniser's evidence says the utterance is complete (the LM gives its last words a high end-of-sentence probability and the last word ended trailingBlankMs before the end of the decoded audio); otherwise minSilenceMs applies. Needs the model's LM (decoding.method 'beam'). Figures: README \"Live transcripts\".",
        {
          enabled: Type.Boolean({ default: false, ...about('Use the fast rule (off: every segment waits for minSilenceMs).') }),
          minSilenceMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 140, ...about('Silence (ms) the VAD must have heard for the fast rule.') }),
          minEndOfSentenceLogProb: Type.Number({
            minimum: -50,
            maximum: 0,
            default: -1.5,
            ...about("ln p(end of sentence | the decode's last words) under the LM must be at least this."),
          }),
          trailingBlankMs: Type.Integer({
            minimum: 0,
            maximum: 10_000,
            default: 100,
            ...about("Time (ms) since the recogniser's last word ended, for the fast rule."),
          }),
        },
      ),
    },
  ),
});

const wyomingSchema = section('The Wyoming speech-to-text server for Home Assistant (daemon/wyoming).', {
  enabled: Type.Boolean({ default: false, ...about('Serve Wyoming speech-to-text.') }),
  uri: Type.String({
    pattern: '^(tcp://[^/]+|unix://.+)$',
    default: 'tcp://0.0.0.0:10300',
    ...about('tcp://HOST:PORT (port 10300 when left out) or unix://PATH.'),
  }),
  zeroconf: Type.Boolean({ default: true, ...about('Announce `_wyoming._tcp` over mDNS so Home Assistant discovers the server (TCP only).') }),
  zeroconfName: nullableString('The mDNS instance name; null: hushscribe-<hostname>.', { minLength: 1, maxLength: 63 }),
  redact: section('The redaction policy of Wyoming transcripts: null fields take redaction.types / redaction.operators.', {
    types: Type.Unsafe<EntityType[] | null>({
      type: ['array', 'null'],
      items: { enum: [...ENTITY_TYPES] },
      uniqueItems: true,
      default: null,
      ...about('Entity types to redact in Wyoming transcripts; null: redaction.types.'),
    }),
    operators: Type.Unsafe<OperatorMap | null>({
      type: ['object', 'null'],
      default: null,
      propertyNames: operatorMapSchema.propertyNames,
      additionalProperties: operatorMapSchema.additionalProperties,
      ...about('Operator per entity type in Wyoming transcripts; null: redaction.operators.'),
    }),
  }),
  store: Type.Boolean({
    default: false,
    ...about("Keep each request's redacted transcript in the database (source 'wyoming'); off: nothing is stored."),
  }),
  idleTimeoutSec: Type.Integer({ minimum: 1, maximum: 3600, default: 30, ...about('A connection that sends nothing for this long is closed (seconds).') }),
  maxClients: Type.Integer({ minimum: 1, maximum: 64, default: 4, ...about('Connections served at once.') }),
  maxAudioSec: Type.Integer({ minimum: 1, maximum: 600, default: 60, ...about('Audio accepted per request (seconds).') }),
});

export const configSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1, default: '/var/lib/hushscribe', ...about('Database, control socket and redacted audio live here.') }),
    sources: section('Where recordings come from.', {
      watch: watchSourceSchema,
      mic: section('A microphone, captured with arecord as one recording per hour.', {
        device: nullableString('ALSA capture device (e.g. `hw:1,0`); null disables the source.'),
        rate: Type.Unsafe<number>({
          type: 'integer',
          enum: [8000, 16000, 22050, 24000, 32000, 44100, 48000],
          default: 16000,
          ...about('Capture sample rate in Hz (resampled to 16 kHz).'),
        }),
        channels: Type.Integer({ minimum: 1, maximum: 8, default: 1, ...about('Capture channels (mixed down to mono).') }),
      }),
      command: section('Any command writing audio to stdout, as one recording per hour.', {
        argv: Type.Unsafe<string[] | null>({
          type: ['array', 'null'],
          items: { type: 'string', minLength: 1 },
          minItems: 1,
          default: null,
          ...about('The command and its arguments; null disables the source.'),
        }),
      }),
    }),
    vad: section('Voice activity detection (Silero VAD): which stretches of audio are speech.', {
      enabled: Type.Boolean({
        default: true,
        ...about('false: transcribe everything, cut into maxSegmentSec windows (for audio the VAD model does not know).'),
      }),
      threshold: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5, ...about('Speech probability from which a frame counts as speech.') }),
      minSpeechMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 250, ...about('Shorter bursts of speech are ignored (ms).') }),
      minSilenceMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 300, ...about('Silence (ms) that ends a segment.') }),
      speechPadMs: Type.Integer({ minimum: 0, maximum: 2000, default: 100, ...about('Audio (ms) kept on each side of a segment.') }),
      maxSegmentSec: Type.Number({ minimum: 1, maximum: 120, default: 20, ...about('A segment is cut at this length in any case (seconds).') }),
    }),
    asr: section('Speech recognition.', {
      modelDir: nullableString('Model folder; null: the bundled hushscribe-en-v1.'),
      variant: nullableString('Model variant to load; null: as power.mode decides.'),
      threads: Type.Integer({ minimum: 1, maximum: 64, default: 1, ...about('onnxruntime threads per inference.') }),
      lm: section('Language models.', {
        extra: Type.Array(
          Type.Object(
            { dir: Type.String({ minLength: 1 }), weight: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }) },
            { additionalProperties: false },
          ),
          {
            default: [],
            ...about("The user's own LMs (`hushscribe lm build --out DIR`) as `{dir, weight}`, mixed with the model's at these weights (sum < 1)."),
          },
        ),
      }),
      hotwords: nullableString('Hotword list file (daemon/asr/hotword-file.ts); phrases marked pii are also always redacted.'),
      leftContext: section(
        'Each speech segment is decoded after the end of the previous one (its words left out), so a sentence cut at a pause is heard as one: files and live sources alike. Figures: README "Live transcripts".',
        {
          maxSec: Type.Number({
            minimum: 0,
            maximum: 10,
            default: DEFAULT_LEFT_CONTEXT.maxSec,
            ...about('Seconds of earlier speech decoded before a segment; 0: none.'),
          }),
          maxGapSec: Type.Number({
            minimum: 0,
            maximum: 60,
            default: DEFAULT_LEFT_CONTEXT.maxGapSec,
            ...about('Only a segment starting within this many seconds of the previous one gets it.'),
          }),
          maxTotalSec: Type.Number({
            minimum: 0,
            maximum: 130,
            default: DEFAULT_LEFT_CONTEXT.maxTotalSec,
            ...about('Context and segment together at most this many seconds (a long segment is its own context; a decode costs more the longer it is).'),
          }),
        },
      ),
    }),
    redaction: section('What is redacted from transcripts, and how: the redaction policy (redaction/policy-schema.ts) and its stages.', {
      // The library's own policy schema, so the config and `validatePolicy` accept the same values.
      ...allNeedingRestart(policyOptions),
      hashKeyFile: nullableString('File holding the secret key of the hash operator (at least 16 bytes).'),
      audio: section(
        'Redacted audio: each recording saved with its personal-data spans replaced by a tone or silence. Files are written once transcribed; live sessions (microphone, command) while they are heard, to a temp file renamed when the session ends, so only a few seconds of audio are ever held in RAM.',
        {
          enabled: Type.Boolean({ default: false, ...about('Save redacted audio.') }),
          mode: oneOf(REDACTED_AUDIO_MODES, 'tone', 'What replaces a personal-data span.'),
          padMs: Type.Integer({ minimum: 0, maximum: 2000, default: 80, ...about('Audio (ms) masked on each side of a span.') }),
          format: oneOf(REDACTED_AUDIO_FORMATS, 'wav', 'File format of the redacted audio.'),
          dir: nullableString('Folder of the redacted audio; null: <dataDir>/audio.'),
        },
      ),
      tagger: section('The neural PII tagger beside the rule recognizers.', {
        enabled: Type.Boolean({ default: true, ...about('Run the tagger.') }),
        modelDir: nullableString('Tagger model folder; null: the bundled hushscribe-pii-tagger-v1.'),
      }),
    }),
    pipeline: section('The transcription queue.', {
      queueSize: Type.Integer({
        minimum: 1,
        maximum: 10_000,
        default: 16,
        ...about('Recordings queued at most: the watch folder pauses and `ingest` waits while it is full.'),
      }),
    }),
    store: section('The SQLite database.', {
      retention: section('Old recordings deleted at start, every hour and on `config.reload`; 0 means no limit.', {
        maxAgeDays: Type.Number({ minimum: 0, default: 0, ...about('Recordings older than this many days are deleted.', false) }),
        maxBytes: Type.Integer({ minimum: 0, default: 0, ...about('The oldest recordings are deleted while the data takes more than this.', false) }),
      }),
    }),
    control: section('The control socket that the CLI talks to.', {
      socketPath: nullableString('Socket path; null: <dataDir>/control.sock.'),
      group: nullableString("Group given the socket; null: the daemon's."),
      mode: Type.String({ pattern: '^0?[0-7]{3}$', default: '0660', ...about('Permission bits of the socket (octal).') }),
      idleTimeoutSec: Type.Integer({
        minimum: 1,
        maximum: 86_400,
        default: 60,
        ...about('A control connection that sends nothing for this long is closed (seconds).'),
      }),
    }),
    log: section('Logging (JSON lines on stdout).', {
      level: oneOf(LOG_LEVELS, 'info', 'Least severity logged.'),
      fileNames: Type.Boolean({
        default: false,
        ...about('Recording file names in log lines and MQTT payloads; off by default, since a file may be named after the person on it.'),
      }),
    }),
    mqtt: mqttSchema,
    power: powerSchema,
    watchdog: section('The systemd watchdog.', {
      maxStallSec: Type.Integer({
        minimum: 5,
        maximum: 3600,
        default: 120,
        ...about('After this long blocked, watchdog pings stop, so systemd restarts the service (seconds).'),
      }),
    }),
    live: liveSchema,
    wyoming: wyomingSchema,
  },
  { additionalProperties: false },
);

export type HushscribeConfig = Static<typeof configSchema>;
export type WatchSourceConfig = Static<typeof watchSourceSchema>;
export type MqttConfig = Static<typeof mqttSchema>;
export type PowerConfig = Static<typeof powerSchema>;
export type LiveConfig = Static<typeof liveSchema>;
export type WyomingConfig = Static<typeof wyomingSchema>;
