/**
 * The one JSON schema for config.yaml. Every option has a default, so an empty file (or none) is a working config.
 * ajv fills the defaults in place; HushscribeConfig is the shape after validation.
 */
import { ENTITY_TYPES, type EntityType } from '../../redaction/types.js';
import { REDACTED_AUDIO_FORMATS, REDACTED_AUDIO_MODES, type RedactedAudioFormat, type RedactedAudioMode } from '../redacted-audio/index.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export const POWER_MODES = ['dense', 'sparse', 'auto'] as const;
export const REDACTION_OPERATORS = ['placeholder', 'replace', 'mask', 'hash', 'drop'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type PowerMode = (typeof POWER_MODES)[number];
export type RedactionOperator = (typeof REDACTION_OPERATORS)[number];

export interface WatchSourceConfig {
  /** Folder to watch for dropped-in recordings; null disables the source. */
  dir: string | null;
  /** Where kept originals are moved (keepOriginals); null means `<dir>/done`. */
  doneDir: string | null;
  /**
   * false (default): a recording's original file is deleted once its result (and redacted audio) is committed, since
   * it holds the raw personal data. true: it is moved to doneDir and deleted with its recording by store.retention.
   */
  keepOriginals: boolean;
  pollMs: number;
  /** A file is picked up only once its size and mtime have not changed for this long. */
  settleMs: number;
}

export interface MqttConfig {
  /** Broker URL (mqtt://, mqtts://, ws://, wss://); null: no MQTT at all. */
  url: string | null;
  /** TLS: CA bundle, client certificate and key (PEM file paths); rejectUnauthorized checks the broker's certificate. */
  tls: { ca: string | null; cert: string | null; key: string | null; rejectUnauthorized: boolean };
  username: string | null;
  /** File holding the password (so it is not in the config or the environment). */
  passwordFile: string | null;
  /** null: hushscribe-<deviceId>. */
  clientId: string | null;
  baseTopic: string;
  /** null: the hostname, sanitised to [a-z0-9_-]. */
  deviceId: string | null;
  qos: 0 | 1 | 2;
  keepaliveSec: number;
  /**
   * 5 (default): MQTT 5, which lets the broker drop oversized requests before they reach us (Maximum Packet
   * Size); 4: MQTT 3.1.1, for brokers without MQTT 5 (requests are then size-checked only once received).
   */
  protocolVersion: 4 | 5;
  /** Reconnect back-off: starts at minMs and doubles to maxMs while the broker cannot be reached. */
  reconnect: { minMs: number; maxMs: number };
  /** The retained state snapshot is published on change and at least this often. */
  stateIntervalSec: number;
  /** Undelivered events kept in the database while the broker is away; beyond this the oldest are dropped (and reported). */
  outbox: { maxEvents: number };
  homeAssistant: { enabled: boolean; prefix: string };
}

/** The power governor (daemon/power): which model variant transcribes, dense or sparse. */
export interface PowerConfig {
  mode: PowerMode;
  /** How often `auto` looks at its signals (it also looks whenever a recording is taken from the queue). */
  intervalSec: number;
  /** In `auto`, the least time between two switches, so the variant does not flap. */
  minDwellSec: number;
  /** Recordings waiting: sparse from enterQueued on, back to dense at leaveQueued or fewer. */
  backlog: { enterQueued: number; leaveQueued: number };
  /** Hottest thermal zone (millidegree files; `*` matches): sparse from enterC on, dense again at leaveC or below. */
  thermal: { paths: string[]; enterC: number; leaveC: number };
  /** power_supply `online` / `status` files; on battery means sparse when sparseOnBattery. */
  battery: { paths: string[]; sparseOnBattery: boolean };
}

export interface HushscribeConfig {
  dataDir: string;
  sources: {
    watch: WatchSourceConfig;
    mic: { device: string | null; rate: number; channels: number };
    command: { argv: string[] | null };
  };
  vad: { enabled: boolean; threshold: number; minSpeechMs: number; minSilenceMs: number; speechPadMs: number; maxSegmentSec: number };
  asr: {
    modelDir: string | null;
    variant: string | null;
    threads: number;
    /** The user's own LMs (`hushscribe lm build --out DIR`), mixed with the model's at these weights (sum < 1). */
    lm: { extra: Array<{ dir: string; weight: number }> };
    /** Hotword list file (daemon/asr/hotword-file.ts); phrases marked pii are also always redacted. */
    hotwords: string | null;
  };
  redaction: {
    types: EntityType[];
    operators: Partial<Record<EntityType, RedactionOperator>>;
    hashKeyFile: string | null;
    /** Also redact long digit runs no rule validates (redaction/policy.ts, longNumbers). */
    longNumbers: boolean;
    /**
     * Redacted audio: each recording saved with its personal-data spans replaced by a tone or silence. Files are
     * written once transcribed; live sessions (microphone, command) while they are heard, to a temp file renamed
     * when the session ends, so only a few seconds of audio are ever held in RAM.
     */
    audio: { enabled: boolean; mode: RedactedAudioMode; padMs: number; format: RedactedAudioFormat; dir: string | null };
    /** The neural PII tagger beside the rule recognizers; modelDir null: the bundled hushscribe-pii-tagger-v1. */
    tagger: { enabled: boolean; modelDir: string | null };
  };
  pipeline: { queueSize: number };
  store: { retention: { maxAgeDays: number; maxBytes: number } };
  /** idleTimeoutSec: a control connection that sends nothing for this long is closed. */
  control: { socketPath: string | null; group: string | null; mode: string; idleTimeoutSec: number };
  log: { level: LogLevel; fileNames: boolean };
  mqtt: MqttConfig;
  power: PowerConfig;
  watchdog: { maxStallSec: number };
  wyoming: WyomingConfig;
  live: LiveConfig;
}

/** Live sources (microphone, command): partial results and endpointing. */
export interface LiveConfig {
  /** Publish redacted partial transcripts of the segment being spoken (MQTT `partial`, `hushscribe listen`). */
  partials: boolean;
  /** A partial is decoded after each this many ms of new audio in the open segment. */
  partialIntervalMs: number;
  /**
   * Decodes each segment ahead, once the VAD has heard vad.speechPadMs of silence (its audio is then complete), so
   * no decode is left when it ends; ends it when the VAD has heard minSilenceMs of silence and that decode's last
   * word ended at least trailingBlankMs before the end of its audio (sherpa-onnx-style trailing-blank rule), or at
   * vad.minSilenceMs. Below ~300 ms, sentences are split at their pauses, which costs words (README).
   */
  endpoint: { enabled: boolean; minSilenceMs: number; trailingBlankMs: number };
}

/** The Wyoming speech-to-text server for Home Assistant (daemon/wyoming). */
export interface WyomingConfig {
  enabled: boolean;
  /** tcp://HOST:PORT (port 10300 when left out) or unix://PATH. */
  uri: string;
  /** Announce `_wyoming._tcp` over mDNS so Home Assistant discovers the server (TCP only). */
  zeroconf: boolean;
  /** The mDNS instance name; null: hushscribe-<hostname>. */
  zeroconfName: string | null;
  /** The redaction policy of Wyoming transcripts: null fields take redaction.types / redaction.operators. */
  redact: { types: EntityType[] | null; operators: Partial<Record<EntityType, RedactionOperator>> | null };
  /** Keep each request's redacted transcript in the database (source 'wyoming'); off: nothing is stored. */
  store: boolean;
  idleTimeoutSec: number;
  maxClients: number;
  maxAudioSec: number;
}

const nullableString = { type: ['string', 'null'], minLength: 1, default: null } as const;
const section = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, default: {}, properties });

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dataDir: { type: 'string', minLength: 1, default: '/var/lib/hushscribe' },
    sources: section({
      watch: section({
        dir: nullableString,
        doneDir: nullableString,
        keepOriginals: { type: 'boolean', default: false },
        pollMs: { type: 'integer', minimum: 50, maximum: 3_600_000, default: 1000 },
        settleMs: { type: 'integer', minimum: 0, maximum: 3_600_000, default: 2000 },
      }),
      mic: section({
        device: nullableString,
        rate: { type: 'integer', enum: [8000, 16000, 22050, 24000, 32000, 44100, 48000], default: 16000 },
        channels: { type: 'integer', minimum: 1, maximum: 8, default: 1 },
      }),
      command: section({
        argv: { type: ['array', 'null'], items: { type: 'string', minLength: 1 }, minItems: 1, default: null },
      }),
    }),
    vad: section({
      /** false: transcribe everything, cut into maxSegmentSec windows (for audio the VAD model does not know). */
      enabled: { type: 'boolean', default: true },
      threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5 },
      minSpeechMs: { type: 'integer', minimum: 0, maximum: 10_000, default: 250 },
      minSilenceMs: { type: 'integer', minimum: 0, maximum: 10_000, default: 300 },
      speechPadMs: { type: 'integer', minimum: 0, maximum: 2000, default: 100 },
      maxSegmentSec: { type: 'number', minimum: 1, maximum: 120, default: 20 },
    }),
    asr: section({
      modelDir: nullableString,
      variant: nullableString,
      threads: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
      lm: section({
        extra: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['dir', 'weight'],
            properties: { dir: { type: 'string', minLength: 1 }, weight: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } },
          },
        },
      }),
      hotwords: nullableString,
    }),
    redaction: section({
      types: { type: 'array', items: { enum: [...ENTITY_TYPES] }, uniqueItems: true, default: [...ENTITY_TYPES] },
      operators: {
        type: 'object',
        default: {},
        propertyNames: { enum: [...ENTITY_TYPES] },
        additionalProperties: { enum: [...REDACTION_OPERATORS] },
      },
      hashKeyFile: nullableString,
      longNumbers: { type: 'boolean', default: false },
      audio: section({
        enabled: { type: 'boolean', default: false },
        mode: { enum: [...REDACTED_AUDIO_MODES], default: 'tone' },
        padMs: { type: 'integer', minimum: 0, maximum: 2000, default: 80 },
        format: { enum: [...REDACTED_AUDIO_FORMATS], default: 'wav' },
        /** null: <dataDir>/audio (filled in by validateConfig). */
        dir: nullableString,
      }),
      tagger: section({
        enabled: { type: 'boolean', default: true },
        modelDir: nullableString,
      }),
    }),
    pipeline: section({
      queueSize: { type: 'integer', minimum: 1, maximum: 10_000, default: 16 },
    }),
    store: section({
      retention: section({
        maxAgeDays: { type: 'number', minimum: 0, default: 0 },
        maxBytes: { type: 'integer', minimum: 0, default: 0 },
      }),
    }),
    control: section({
      socketPath: nullableString,
      group: nullableString,
      mode: { type: 'string', pattern: '^0?[0-7]{3}$', default: '0660' },
      idleTimeoutSec: { type: 'integer', minimum: 1, maximum: 86_400, default: 60 },
    }),
    log: section({
      level: { enum: [...LOG_LEVELS], default: 'info' },
      /** Recording file names in log lines; off by default, since a file may be named after the person on it. */
      fileNames: { type: 'boolean', default: false },
    }),
    mqtt: section({
      url: { type: ['string', 'null'], pattern: '^(mqtts?|wss?|tcp|ssl)://.+', default: null },
      tls: section({ ca: nullableString, cert: nullableString, key: nullableString, rejectUnauthorized: { type: 'boolean', default: true } }),
      username: nullableString,
      passwordFile: nullableString,
      clientId: { type: ['string', 'null'], minLength: 1, maxLength: 128, default: null },
      baseTopic: { type: 'string', pattern: '^[^#+/\\u0000]+(/[^#+/\\u0000]+)*$', default: 'hushscribe' },
      deviceId: { type: ['string', 'null'], pattern: '^[A-Za-z0-9_-]{1,64}$', default: null },
      qos: { type: 'integer', enum: [0, 1, 2], default: 1 },
      keepaliveSec: { type: 'integer', minimum: 5, maximum: 3600, default: 30 },
      protocolVersion: { type: 'integer', enum: [4, 5], default: 5 },
      reconnect: section({
        minMs: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 1000 },
        maxMs: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 60_000 },
      }),
      stateIntervalSec: { type: 'integer', minimum: 1, maximum: 86_400, default: 60 },
      outbox: section({
        maxEvents: { type: 'integer', minimum: 10, maximum: 10_000_000, default: 100_000 },
      }),
      homeAssistant: section({
        enabled: { type: 'boolean', default: true },
        prefix: { type: 'string', pattern: '^[^#+/\\u0000]+$', default: 'homeassistant' },
      }),
    }),
    power: section({
      mode: { enum: [...POWER_MODES], default: 'auto' },
      intervalSec: { type: 'number', minimum: 0.1, maximum: 3600, default: 5 },
      minDwellSec: { type: 'number', minimum: 0, maximum: 86_400, default: 60 },
      backlog: section({
        enterQueued: { type: 'integer', minimum: 1, maximum: 100_000, default: 4 },
        leaveQueued: { type: 'integer', minimum: 0, maximum: 100_000, default: 1 },
      }),
      thermal: section({
        paths: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['/sys/class/thermal/thermal_zone*/temp'] },
        enterC: { type: 'number', minimum: -50, maximum: 200, default: 75 },
        leaveC: { type: 'number', minimum: -50, maximum: 200, default: 65 },
      }),
      battery: section({
        paths: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['/sys/class/power_supply/*/online'] },
        sparseOnBattery: { type: 'boolean', default: true },
      }),
    }),
    watchdog: section({
      maxStallSec: { type: 'integer', minimum: 5, maximum: 3600, default: 120 },
    }),
    live: section({
      partials: { type: 'boolean', default: true },
      partialIntervalMs: { type: 'integer', minimum: 50, maximum: 10_000, default: 250 },
      endpoint: section({
        enabled: { type: 'boolean', default: true },
        minSilenceMs: { type: 'integer', minimum: 0, maximum: 10_000, default: 300 },
        trailingBlankMs: { type: 'integer', minimum: 0, maximum: 10_000, default: 60 },
      }),
    }),
    wyoming: section({
      enabled: { type: 'boolean', default: false },
      uri: { type: 'string', pattern: '^(tcp://[^/]+|unix://.+)$', default: 'tcp://0.0.0.0:10300' },
      zeroconf: { type: 'boolean', default: true },
      zeroconfName: { type: ['string', 'null'], minLength: 1, maxLength: 63, default: null },
      redact: section({
        types: { type: ['array', 'null'], items: { enum: [...ENTITY_TYPES] }, uniqueItems: true, default: null },
        operators: {
          type: ['object', 'null'],
          default: null,
          propertyNames: { enum: [...ENTITY_TYPES] },
          additionalProperties: { enum: [...REDACTION_OPERATORS] },
        },
      }),
      store: { type: 'boolean', default: false },
      idleTimeoutSec: { type: 'integer', minimum: 1, maximum: 3600, default: 30 },
      maxClients: { type: 'integer', minimum: 1, maximum: 64, default: 4 },
      maxAudioSec: { type: 'integer', minimum: 1, maximum: 600, default: 60 },
    }),
  },
} as const;

/** Options a running daemon applies on `config.reload`; changing anything else needs a restart. */
export const HOT_RELOADABLE = ['store.retention.maxAgeDays', 'store.retention.maxBytes'] as const;
