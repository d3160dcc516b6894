/**
 * The daemon: opens the store, then starts each feature (pipeline, sources, control socket, retention, systemd
 * notifications). As in zigbee2mqtt, a feature that fails to start or stops working is logged and reported in
 * `status`, never allowed to take the daemon down; only the store is essential.
 */
import { readPackageVersion } from './util/package-version.js';
import { controlSocketPath, databasePath, doneDir, loadConfig, modelDir } from './config/load.js';
import type { HushscribeConfig, PowerMode } from './config/schema.js';
import { HOT_RELOADABLE } from './config/settings.js';
import type { Logger } from './log/logger.js';
import { Pipeline } from './pipeline/pipeline.js';
import { openRedactedAudioWriter } from './redacted-audio/index.js';
import { Store, type RetentionShortfall } from './store/store.js';
import { WatchSource } from './sources/watch.js';
import { LiveSource, micArgv } from './sources/live.js';
import { ControlServer } from './control/server.js';
import { createApi } from './api/methods.js';
import type { ApiDaemon } from './api/types.js';
import type { Feature, FeatureState } from './feature.js';
import { SystemdNotifier } from './systemd-notifier.js';
import { acquirePidLock } from './pid-lock.js';
import type { MqttHost } from './mqtt/bridge.js';
import { Outbox } from './mqtt/outbox.js';
import { calmVariantOf, pipelineSettings } from './pipeline/settings.js';
import type { WyomingFeature } from './wyoming/index.js';
import { PowerGovernor, type PowerChange, type PowerState } from './power/governor.js';
import type { OutboxPayload } from './store/outbox-events.js';

const RETENTION_EVERY_MS = 3_600_000;
/** A live source is stored as one recording per hour of listening. */
const LIVE_SESSION_SEC = 3600;

/** How an unmeetable size limit is reported (log, status, MQTT error event). */
function retentionProblem(unmet: RetentionShortfall): string {
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  return `store.retention.maxBytes (${mb(unmet.maxBytes)}) cannot be met: the recordings retention may not delete (the newest, unfinished ones) hold ${mb(unmet.floorBytes)}; nothing was deleted for size`;
}

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
  wyoming: WyomingFeature | null = null;
  private features: Feature[] = [];
  private readonly states = new Map<string, FeatureState>();
  private config: HushscribeConfig;
  private readonly notifier: SystemdNotifier;
  private readonly log: Logger;
  private releaseLock: (() => void) | null = null;
  /** Set by stop(): a start still in progress starts no further features. */
  private stopRequested = false;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  /** Features whose start() was called, in order: the ones stop() stops. */
  private readonly attempted: Feature[] = [];
  private governor!: PowerGovernor;
  private outbox!: Outbox;
  /** store.retention.maxBytes that the last retention pass could not meet (reported, not chased), or null. */
  retentionShortfall: RetentionShortfall | null = null;

  constructor(private readonly options: ControllerOptions) {
    this.config = options.config;
    this.log = options.log;
    this.notifier = new SystemdNotifier(
      () => this.statusLine(),
      () => this.healthy(),
      options.log.child('systemd'),
    );
  }

  get currentConfig(): HushscribeConfig {
    return this.config;
  }

  /** The requested power mode (dense, sparse or auto); the variant in use is in powerState(). */
  get powerMode(): PowerMode {
    return this.governor.state().mode;
  }

  powerState(): PowerState {
    return this.governor.state();
  }

  /** From MQTT or the control socket: applies to the next recording (and the next live segment). */
  setPowerMode(mode: PowerMode): void {
    this.log.info('power mode set', { powerMode: mode });
    this.applyPower(this.governor.setMode(mode));
  }

  /** Opens the store and starts the features; a stop() meanwhile lets the feature starting now finish and starts no more. */
  start(): Promise<void> {
    this.starting ??= this.startAll();
    return this.starting;
  }

  private async startAll(): Promise<void> {
    if (this.stopRequested) return; // stopped before it began (a signal while the CLI loaded)
    const config = this.config;
    this.releaseLock = acquirePidLock(config.dataDir);
    // Without a broker nothing would ever drain the outbox: no events are written at all.
    this.store = new Store(databasePath(config), { outbox: config.mqtt.url !== null });
    if (!this.store.outboxEnabled) {
      const stale = this.store.clearEvents();
      if (stale > 0) this.log.info('MQTT is not configured; undelivered events deleted', { count: stale });
    }
    const closed = this.store.closeInterruptedStreams();
    const requeued = this.store.requeueInterrupted();
    this.log.info('store open', {
      database: databasePath(config),
      schema: this.store.schemaVersion,
      requeued: requeued.length,
      liveSessionsClosed: closed.length,
    });

    this.removeStaleAudio();
    this.outbox = new Outbox(this.store, config.mqtt.outbox.maxEvents);
    const stageSettings = pipelineSettings(config);
    this.governor = new PowerGovernor(config.power, stageSettings.sparseVariant !== null, calmVariantOf(config));
    this.pipeline = new Pipeline(
      this.store,
      stageSettings,
      this.log.child('pipeline'),
      config.watchdog.maxStallSec * 1000,
      () => {
        this.updatePower();
        return this.governor.state().variant;
      },
      () => this.governor.state().variant,
    );
    this.features.push({ name: 'pipeline', start: () => this.pipeline.start(), stop: () => this.pipeline.stop() });
    this.features.push(this.powerFeature());

    const watchDir = config.sources.watch.dir;
    if (watchDir) {
      const watch = new WatchSource(
        {
          dir: watchDir,
          doneDir: doneDir(config),
          pollMs: config.sources.watch.pollMs,
          settleMs: config.sources.watch.settleMs,
          queueSize: config.pipeline.queueSize,
        },
        this.store,
        () => this.pipeline.wake(),
        this.log.child('watch'),
      );
      this.watch = watch;
      this.pipeline.guardSources(watch);
      this.features.push({ name: 'watch', start: () => watch.start(), stop: () => watch.stop() });
    }

    const { mic, command } = config.sources;
    const lives: [LiveSource['name'], string, string[] | null][] = [
      ['mic', mic.device ?? '', mic.device ? micArgv({ device: mic.device, rate: mic.rate, channels: mic.channels }) : null],
      ['command', command.argv?.[0] ?? '', command.argv],
    ];
    for (const [name, label, argv] of lives) {
      if (!argv) continue;
      const live = new LiveSource(
        name,
        label,
        { ...stageSettings, argv, sessionMaxSec: LIVE_SESSION_SEC, live: config.live },
        this.store,
        this.log.child(name),
        config.watchdog.maxStallSec * 1000,
      );
      this.live.push(live);
      this.features.push({ name, start: () => live.start(), stop: () => live.stop() });
    }

    if (config.wyoming.enabled) {
      // Loaded only when enabled, like the MQTT bridge: the main thread stays small without it.
      const { WyomingFeature } = await import('./wyoming/index.js');
      this.wyoming = new WyomingFeature({
        config: config.wyoming,
        stages: stageSettings,
        version: this.version,
        store: config.wyoming.store ? this.store : null,
        log: this.log.child('wyoming'),
      });
      this.features.push(this.wyoming);
    }

    // One API for both transports: the control socket and MQTT's request topics.
    const api = createApi(this.apiDaemon());
    const control = new ControlServer(
      { socketPath: controlSocketPath(config), mode: config.control.mode, group: config.control.group, idleTimeoutMs: config.control.idleTimeoutSec * 1000 },
      api,
      this.log.child('control'),
      {
        // `hushscribe listen`: every live source's redacted partials and finals, as they come.
        'live.listen': (_params, send) => {
          const removals = this.live.map((l) => l.listen({ partial: send, final: send }));
          return () => {
            for (const remove of removals) remove();
          };
        },
      },
    );
    this.features.push({ name: 'control', start: () => control.start(), stop: () => control.stop() });
    this.features.push(this.retentionFeature());
    this.features.push({ name: 'systemd', start: async () => this.notifier.start(), stop: async () => this.notifier.stop() });
    const mqttConfig = config.mqtt;
    if (mqttConfig.url !== null) {
      // Imported only when configured: the mqtt client library alone is ~17 MB resident.
      const { MqttBridge } = await import('./mqtt/bridge.js');
      const bridge = new MqttBridge(
        { ...mqttConfig, url: mqttConfig.url, fileNames: config.log.fileNames },
        this.mqttHost(),
        api,
        this.outbox,
        this.store,
        this.log.child('mqtt'),
      );
      for (const live of this.live) live.listen({ partial: (p) => bridge.publishPartial(p), final: () => undefined });
      this.features.push({ name: 'mqtt', start: () => bridge.start(), stop: () => bridge.stop() });
    }

    for (const feature of this.features) {
      if (this.stopRequested) return;
      this.attempted.push(feature);
      await this.startFeature(feature);
    }
    if (this.stopRequested) return;
    this.notifier.ready();
    this.log.info('daemon started', { version: this.version, features: Object.fromEntries([...this.states].map(([k, v]) => [k, v.state])) });
  }

  /**
   * Redacted-audio temp files a killed daemon left behind (files and live sessions), removed before any worker
   * writes new ones; a restarted file worker later removes only those of file recordings.
   */
  private removeStaleAudio(): void {
    try {
      const stale = openRedactedAudioWriter(this.config.redaction.audio, null)?.cleanStale() ?? [];
      if (stale.length > 0) this.log.info('stale redacted-audio temp files removed', { count: stale.length });
    } catch (err) {
      this.log.warn('cannot clean the redacted-audio folder', { err });
    }
  }

  /** Safe at any moment, also during start() and more than once: waits for a start in progress, then stops what it started. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    this.stopRequested = true;
    await this.starting?.catch(() => undefined);
    this.notifier.stopping();
    for (const feature of [...this.attempted].reverse()) {
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
      if (HOT_RELOADABLE.includes(key)) applied.push(key);
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

  /** One retention pass (hourly, and on config reload); an unmeetable size limit is logged once and kept for status. */
  applyRetention(): void {
    const { deleted, unmet } = this.store.applyRetention(this.config.store.retention);
    if (deleted.length > 0) this.log.info('retention deleted old recordings', { count: deleted.length });
    if (unmet && !this.retentionShortfall) this.log.warn(retentionProblem(unmet), { ...unmet });
    else if (!unmet && this.retentionShortfall) this.log.info('store.retention.maxBytes is met again');
    this.retentionShortfall = unmet;
  }

  private retentionFeature(): Feature {
    return this.periodicFeature('retention', RETENTION_EVERY_MS, () => this.applyRetention(), 'retention failed');
  }

  /** Runs `work` at start and then every `everyMs` (the timer never keeps the process alive); a failed run is logged. */
  private periodicFeature(name: string, everyMs: number, work: () => void, failure: string, onStart: () => void = () => undefined): Feature {
    let timer: NodeJS.Timeout | null = null;
    const tick = () => {
      try {
        work();
      } catch (err) {
        this.log.error(failure, { err });
      }
    };
    return {
      name,
      start: async () => {
        onStart();
        tick();
        timer = setInterval(tick, everyMs);
        timer.unref();
      },
      stop: async () => {
        if (timer) clearInterval(timer);
      },
    };
  }

  /** What is wrong now, one line each (each new one is announced as an MQTT error event). */
  problems(): string[] {
    const health = this.pipeline.health();
    return [
      ...[...this.states].filter(([, s]) => s.state === 'failed').map(([name, s]) => `${name} failed: ${s.error}`),
      ...(health.error ? [`pipeline: ${health.error}`] : []),
      ...(health.database ? [`database refuses writes, transcription waits: ${health.database.error}`] : []),
      ...(this.retentionShortfall ? [retentionProblem(this.retentionShortfall)] : []),
    ];
  }

  /** The narrow view of the daemon that the API is implemented against. */
  private apiDaemon(): ApiDaemon {
    return {
      version: this.version,
      startedAt: this.startedAt,
      recordings: this.store,
      config: () => this.config,
      features: () => this.featureStates(),
      pipeline: () => this.pipeline.health(),
      live: () => Object.fromEntries(this.live.map((l) => [l.name, l.health()])),
      watchDir: () => this.watch?.dir ?? null,
      power: () => this.powerState(),
      retention: () => ({ ...this.config.store.retention, retainedBytes: this.store.retainedBytes(), unmet: this.retentionShortfall }),
      setPowerMode: (mode) => this.setPowerMode(mode),
      pause: () => this.pipeline.pause(),
      resume: () => this.pipeline.resume(),
      wake: () => this.pipeline.wake(),
      setRecordingHotwords: (id, hotwords) => this.pipeline.setRecordingHotwords(id, hotwords),
      reloadConfig: () => this.reloadConfig(),
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
      problems: () => this.problems(),
    };
  }

  /** Looks at the governor's signals now; reports new sensor problems once and acts on a switch. */
  private updatePower(): void {
    const change = this.governor.update(this.store.countByStatus().queued);
    for (const problem of this.governor.newProblems()) this.log.warn('power signal ignored: cannot read it', { problem });
    this.applyPower(change);
  }

  /** Every mode change or variant switch: logged, announced (power_mode_changed) and passed to the live sources. */
  private applyPower(change: PowerChange | null): void {
    if (!change) return;
    const data = {
      previous: change.previousMode,
      powerMode: change.mode,
      previousVariant: change.previousVariant,
      variant: change.variant,
      reason: change.reason,
      switches: change.switches,
    };
    if (change.previousVariant !== change.variant) this.log.info('power variant switched', data);
    this.safelyAnnounce(data);
    for (const live of this.live) live.setVariant(change.variant);
  }

  private safelyAnnounce(data: OutboxPayload<'power_mode.changed'>): void {
    try {
      this.outbox.add('power_mode.changed', data);
    } catch (err) {
      this.log.error('could not queue the power_mode_changed event', { err });
    }
  }

  /** Re-evaluates auto mode every power.intervalSec; says once when the model has no sparse variant. */
  private powerFeature(): Feature {
    return this.periodicFeature(
      'power',
      this.config.power.intervalSec * 1000,
      () => this.updatePower(),
      'power governor update failed',
      () => {
        const state = this.governor.state();
        if (!state.sparseAvailable) {
          this.log.warn('power governor: the model has no sparse variant; running dense', { powerMode: state.mode, model: modelDir(this.config) });
          this.safelyAnnounce({ previous: state.mode, powerMode: state.mode, previousVariant: 'dense', variant: 'dense', reason: state.reason, switches: 0 });
        }
        this.log.info('power governor started', { powerMode: state.mode, variant: state.variant, reason: state.reason });
        for (const live of this.live) live.setVariant(state.variant);
      },
    );
  }

  /** One line for systemd's STATUS= (shown by systemctl status). */
  statusLine(): string {
    const counts = this.store ? this.store.countByStatus() : null;
    const health = this.pipeline?.health();
    const failed = [...this.states].filter(([, s]) => s.state === 'failed').map(([name]) => name);
    return [
      health ? `pipeline ${health.state}` : 'starting',
      health?.database ? `database refuses writes (${health.database.error.split(':')[0]}), retrying` : '',
      counts ? `${counts.queued} queued, ${counts.done} done, ${counts.failed} failed` : '',
      failed.length > 0 ? `degraded: ${failed.join(', ')} failed` : '',
    ]
      .filter(Boolean)
      .join('; ');
  }
}
