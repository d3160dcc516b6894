/**
 * The daemon: opens the store, then starts each feature (pipeline, sources, control socket, retention, systemd
 * notifications). As in zigbee2mqtt, a feature that fails to start or stops working is logged and reported in
 * `status`, never allowed to take the daemon down; only the store is essential.
 */
import { readPackageVersion } from './util/package-version.js';
import { controlSocketPath, databasePath, doneDir, loadConfig, modelDir } from './config/load.js';
import { HOT_RELOADABLE, type HushscribeConfig, type PowerMode } from './config/schema.js';
import type { Logger } from './log/logger.js';
import { Pipeline } from './pipeline/pipeline.js';
import { Store } from './store/store.js';
import { WatchSource } from './sources/watch.js';
import { LiveSource, micArgv } from './sources/live.js';
import { ControlServer } from './control/server.js';
import { controlHandlers } from './control/handlers.js';
import { SystemdNotifier } from './systemd-notifier.js';
import { acquirePidLock } from './pid-lock.js';
import { MqttBridge } from './mqtt/bridge.js';
import { Outbox } from './mqtt/outbox.js';
import type { MqttHost } from './mqtt/requests.js';

export interface Feature {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface FeatureState {
  state: 'stopped' | 'running' | 'failed';
  error: string | null;
}

const RETENTION_EVERY_MS = 3_600_000;
const OUTBOX_TRIM_EVERY_MS = 60_000;
/** A live source is stored as one recording per hour of listening. */
const LIVE_SESSION_SEC = 3600;

export interface ControllerOptions {
  config: HushscribeConfig;
  /** The config file in use (for config.reload), or null. */
  configFile: string | null;
  log: Logger;
}

export class Controller {
  readonly startedAt = Date.now();
  readonly version = readPackageVersion();
  store!: Store;
  pipeline!: Pipeline;
  watch: WatchSource | null = null;
  readonly live: LiveSource[] = [];
  private features: Feature[] = [];
  private readonly states = new Map<string, FeatureState>();
  private config: HushscribeConfig;
  private readonly notifier: SystemdNotifier;
  private readonly log: Logger;
  private releaseLock: (() => void) | null = null;
  /** Set from config, changed at run time over MQTT (set_power_mode); no stage reads it yet. */
  powerMode: PowerMode;

  constructor(private readonly options: ControllerOptions) {
    this.config = options.config;
    this.powerMode = options.config.power.mode;
    this.log = options.log;
    this.notifier = new SystemdNotifier(() => this.statusLine(), () => this.healthy(), options.log.child('systemd'));
  }

  get currentConfig(): HushscribeConfig {
    return this.config;
  }

  async start(): Promise<void> {
    const config = this.config;
    this.releaseLock = acquirePidLock(config.dataDir);
    this.store = new Store(databasePath(config));
    const closed = this.store.closeInterruptedStreams();
    const requeued = this.store.requeueInterrupted();
    this.log.info('store open', { database: databasePath(config), schema: this.store.schemaVersion, requeued: requeued.length, liveSessionsClosed: closed.length });

    const stageSettings = { modelDir: modelDir(config), variant: config.asr.variant, threads: config.asr.threads, vad: config.vad, redaction: config.redaction };
    this.pipeline = new Pipeline(
      this.store,
      stageSettings,
      this.log.child('pipeline'),
      config.watchdog.maxStallSec * 1000,
    );
    this.features.push({ name: 'pipeline', start: () => this.pipeline.start(), stop: () => this.pipeline.stop() });

    const watchDir = config.sources.watch.dir;
    if (watchDir) {
      const watch = new WatchSource(
        { dir: watchDir, doneDir: doneDir(config), pollMs: config.sources.watch.pollMs, settleMs: config.sources.watch.settleMs, queueSize: config.pipeline.queueSize },
        this.store,
        () => this.pipeline.wake(),
        this.log.child('watch'),
      );
      this.watch = watch;
      this.pipeline.on('finished', (recording) => void watch.finished(recording));
      this.features.push({ name: 'watch', start: () => watch.start(), stop: () => watch.stop() });
    }

    const { mic, command } = config.sources;
    const lives: [LiveSource['name'], string, string[] | null][] = [
      ['mic', mic.device ?? '', mic.device ? micArgv({ device: mic.device, rate: mic.rate, channels: mic.channels }) : null],
      ['command', command.argv?.[0] ?? '', command.argv],
    ];
    for (const [name, label, argv] of lives) {
      if (!argv) continue;
      const live = new LiveSource(name, label, { ...stageSettings, argv, sessionMaxSec: LIVE_SESSION_SEC }, this.store, this.log.child(name), config.watchdog.maxStallSec * 1000);
      this.live.push(live);
      this.features.push({ name, start: () => live.start(), stop: () => live.stop() });
    }

    const control = new ControlServer(
      { socketPath: controlSocketPath(config), mode: config.control.mode, group: config.control.group },
      controlHandlers(this),
      this.log.child('control'),
    );
    this.features.push({ name: 'control', start: () => control.start(), stop: () => control.stop() });
    this.features.push(this.retentionFeature());
    this.features.push({ name: 'systemd', start: async () => this.notifier.start(), stop: async () => this.notifier.stop() });
    const mqttConfig = config.mqtt;
    if (mqttConfig.url !== null) {
      const bridge = new MqttBridge({ ...mqttConfig, url: mqttConfig.url }, this.mqttHost(), this.store, this.log.child('mqtt'));
      this.features.push({ name: 'mqtt', start: () => bridge.start(), stop: () => bridge.stop() });
    } else {
      this.features.push(this.outboxLimitFeature(new Outbox(this.store, mqttConfig.outbox.maxEvents)));
    }

    for (const feature of this.features) await this.startFeature(feature);
    this.notifier.ready();
    this.log.info('daemon started', { version: this.version, features: Object.fromEntries([...this.states].map(([k, v]) => [k, v.state])) });
  }

  async stop(): Promise<void> {
    this.notifier.stopping();
    for (const feature of [...this.features].reverse()) {
      try {
        await feature.stop();
        this.states.set(feature.name, { state: 'stopped', error: null });
      } catch (err) {
        this.log.error('feature did not stop cleanly', { feature: feature.name, err });
      }
    }
    this.store?.close();
    this.releaseLock?.();
    this.log.info('daemon stopped');
  }

  /** What the systemd watchdog is fed: no stalled transcription, file or live. */
  healthy(): boolean {
    return (this.pipeline?.health().healthy ?? true) && this.live.every((l) => l.healthy());
  }

  featureStates(): Record<string, FeatureState> {
    return Object.fromEntries(this.states);
  }

  /** Re-reads the config file and applies the options that need no restart (store.retention). */
  reloadConfig(): { applied: string[]; restartRequired: string[] } {
    const { config } = loadConfig({ path: this.options.configFile ?? undefined, overrides: { dataDir: this.config.dataDir } });
    const applied: string[] = [];
    const restartRequired: string[] = [];
    const flat = (obj: unknown, prefix = ''): Map<string, string> => {
      const out = new Map<string, string>();
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        if (v && typeof v === 'object' && !Array.isArray(v)) for (const [kk, vv] of flat(v, `${prefix}${k}.`)) out.set(kk, vv);
        else out.set(`${prefix}${k}`, JSON.stringify(v));
      }
      return out;
    };
    const before = flat(this.config);
    for (const [key, value] of flat(config)) {
      if (before.get(key) === value) continue;
      if ((HOT_RELOADABLE as readonly string[]).includes(key)) applied.push(key);
      else restartRequired.push(key);
    }
    this.config = { ...this.config, store: config.store };
    if (applied.length > 0) this.applyRetention();
    this.log.info('config reloaded', { applied, restartRequired });
    return { applied, restartRequired };
  }

  private async startFeature(feature: Feature): Promise<void> {
    try {
      await feature.start();
      this.states.set(feature.name, { state: 'running', error: null });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      this.states.set(feature.name, { state: 'failed', error: message });
      this.log.error('feature failed to start; the daemon carries on without it', { feature: feature.name, err });
    }
  }

  private applyRetention(): void {
    const deleted = this.store.applyRetention(this.config.store.retention);
    if (deleted.length > 0) this.log.info('retention deleted old recordings', { count: deleted.length });
  }

  private retentionFeature(): Feature {
    let timer: NodeJS.Timeout | null = null;
    const tick = () => {
      try {
        this.applyRetention();
      } catch (err) {
        this.log.error('retention failed', { err });
      }
    };
    return {
      name: 'retention',
      start: async () => {
        tick();
        timer = setInterval(tick, RETENTION_EVERY_MS);
        timer.unref();
      },
      stop: async () => {
        if (timer) clearInterval(timer);
      },
    };
  }

  private mqttHost(): MqttHost {
    // The getter must read the controller's field, not the object literal's.
    const self = this;
    return {
      version: this.version,
      get powerMode() {
        return self.powerMode;
      },
      snapshot: () => {
        const health = this.pipeline.health();
        const counts = this.store.countByStatus();
        return {
          status: health.paused && health.state === 'idle' ? 'paused' : health.state,
          paused: health.paused,
          queueDepth: counts.queued,
          powerMode: this.powerMode,
          model: health.model ? { name: health.model.name, variant: health.model.variant } : null,
          uptimeSec: Math.round((Date.now() - this.startedAt) / 1000),
          version: this.version,
          recordings: counts,
        };
      },
      pause: () => this.pipeline.pause(),
      resume: () => this.pipeline.resume(),
      setPowerMode: (mode) => {
        this.powerMode = mode;
        this.log.info('power mode set', { powerMode: mode });
      },
      reloadConfig: () => this.reloadConfig(),
      problems: () => [
        ...[...this.states].filter(([, s]) => s.state === 'failed').map(([name, s]) => `${name} failed: ${s.error}`),
        ...(this.pipeline.health().error ? [`pipeline: ${this.pipeline.health().error}`] : []),
      ],
    };
  }

  /** Without a broker nothing drains the outbox; it is still kept within mqtt.outbox.maxEvents. */
  private outboxLimitFeature(outbox: Outbox): Feature {
    let timer: NodeJS.Timeout | null = null;
    const tick = () => {
      try {
        outbox.trim();
      } catch (err) {
        this.log.error('outbox trim failed', { err });
      }
    };
    return {
      name: 'outbox',
      start: async () => {
        tick();
        timer = setInterval(tick, OUTBOX_TRIM_EVERY_MS);
        timer.unref();
      },
      stop: async () => {
        if (timer) clearInterval(timer);
      },
    };
  }

  /** One line for systemd's STATUS= (shown by systemctl status). */
  statusLine(): string {
    const counts = this.store ? this.store.countByStatus() : null;
    const health = this.pipeline?.health();
    const failed = [...this.states].filter(([, s]) => s.state === 'failed').map(([name]) => name);
    return [
      health ? `pipeline ${health.state}` : 'starting',
      counts ? `${counts.queued} queued, ${counts.done} done, ${counts.failed} failed` : '',
      failed.length > 0 ? `degraded: ${failed.join(', ')} failed` : '',
    ]
      .filter(Boolean)
      .join('; ');
  }
}
