/**
 * The Wyoming feature (zigbee2mqtt style: start()/stop(); a failure is logged and shown by `status`, the daemon
 * carries on): a transcription worker with its own redaction policy (wyoming.redact), the server, and the
 * `_wyoming._tcp` mDNS announcement.
 */
import { hostname } from 'node:os';
import type { HushscribeConfig } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { WorkerSettings } from '../pipeline/messages.js';
import type { Store } from '../store/store.js';
import { recordingIdForStream } from '../store/ids.js';
import { parseWyomingUri } from './address.js';
import { WyomingEngine } from './engine.js';
import { DEFAULT_FRAMING_LIMITS } from './framing.js';
import { WyomingServer, type WyomingRecorder } from './server.js';
import { ZeroconfAnnouncer } from './zeroconf.js';

const PROJECT_URL = 'https://github.com/hushscribe/hushscribe';
/** The bundled models are English; a manifest may say otherwise with `languages`. */
const DEFAULT_LANGUAGES = ['en'];

export interface WyomingFeatureOptions {
  config: HushscribeConfig['wyoming'];
  stages: Omit<WorkerSettings, 'sparseVariant'>;
  version: string;
  languages?: string[];
  /** null when wyoming.store is off. */
  store: Store | null;
  log: Logger;
}

/** The `info` answer: one ASR program with one model, streaming transcripts supported. */
export function wyomingInfo(modelName: string, version: string, languages: string[]): Record<string, unknown> {
  const attribution = { name: 'hushscribe', url: PROJECT_URL };
  return {
    asr: [
      {
        name: 'hushscribe',
        description: 'On-device speech-to-text with personal data redacted',
        attribution,
        installed: true,
        version,
        models: [{ name: modelName, description: `${modelName} (offline CTC)`, attribution, installed: true, version, languages }],
        supports_transcript_streaming: true,
      },
    ],
    tts: [],
    handle: [],
    intent: [],
    wake: [],
  };
}

/** Stores Wyoming requests as recordings of source 'wyoming' (only with wyoming.store). */
function storeRecorder(store: Store): WyomingRecorder {
  return {
    begin: () => {
      const id = recordingIdForStream(`wyoming-${process.hrtime.bigint()}`, Date.now());
      store.startStream({ id, source: 'wyoming' });
      return id;
    },
    segment: (id, segment) => void store.putSegment(id, segment),
    end: (id, result) => {
      const rec = store.get(id);
      if (rec?.status === 'processing') store.finish(id, result ?? { durationSec: rec.progressSec, segmentCount: rec.segmentCount });
    },
  };
}

export class WyomingFeature {
  readonly name = 'wyoming';
  private engine: WyomingEngine | null = null;
  private server: WyomingServer | null = null;
  private zeroconf: ZeroconfAnnouncer | null = null;

  constructor(private readonly options: WyomingFeatureOptions) {}

  get port(): number | null {
    return this.server?.port ?? null;
  }

  async start(): Promise<void> {
    const { config, stages, log } = this.options;
    const address = parseWyomingUri(config.uri);
    const redaction = {
      ...stages.redaction,
      types: config.redact.types ?? stages.redaction.types,
      operators: config.redact.operators ?? stages.redaction.operators,
    };
    const engine = new WyomingEngine({ ...stages, denseVariant: null, sparseVariant: null, redaction });
    this.engine = engine;
    await engine.start();
    const model = engine.model!;
    const language = (this.options.languages ?? DEFAULT_LANGUAGES)[0]!;
    const server = new WyomingServer(
      {
        address,
        idleTimeoutMs: config.idleTimeoutSec * 1000,
        maxClients: config.maxClients,
        maxAudioSec: config.maxAudioSec,
        limits: DEFAULT_FRAMING_LIMITS,
        info: wyomingInfo(model.name, this.options.version, this.options.languages ?? DEFAULT_LANGUAGES),
        language,
      },
      engine,
      config.store && this.options.store ? storeRecorder(this.options.store) : null,
      log,
    );
    await server.start();
    this.server = server;
    if (config.zeroconf && address.kind === 'tcp') {
      // Discovery is a convenience: without it Home Assistant is pointed at host and port by hand.
      const name =
        config.zeroconfName ??
        `hushscribe-${hostname()
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')}`;
      const zeroconf = new ZeroconfAnnouncer(name, server.port!);
      this.zeroconf = zeroconf;
      try {
        zeroconf.start((err) => log.warn('wyoming zeroconf announcement failed; add the integration by host and port', { err }));
        log.info('wyoming zeroconf announced', { name, type: '_wyoming._tcp', port: server.port });
      } catch (err) {
        log.warn('wyoming zeroconf announcement failed; add the integration by host and port', { err });
      }
    }
  }

  async stop(): Promise<void> {
    await this.zeroconf?.stop().catch(() => undefined);
    this.zeroconf = null;
    await this.server?.stop();
    this.server = null;
    await this.engine?.stop();
    this.engine = null;
  }
}
