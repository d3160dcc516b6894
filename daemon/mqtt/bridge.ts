/**
 * The MQTT feature: one connection to the broker that announces availability (online, with offline as the last
 * will), drains the events outbox in order, keeps a retained state snapshot, answers requests and publishes
 * Home Assistant discovery. The outbox is the delivery guarantee: an event is deleted only after the broker
 * acknowledged it (PUBACK for QoS 1), so a broker, network or daemon outage delays events but loses none.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Api } from '../api/methods.js';
import type { MqttConfig, PowerMode } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { discoveryMessages } from './discovery.js';
import { messageFor } from './messages.js';
import type { Outbox } from './outbox.js';
import { handleRequest, MAX_INCOMING_PACKET_BYTES } from './requests.js';
import type { LivePartial } from '../sources/live.js';
import { sanitiseDeviceId, Topics, type PartialPayload, type StatePayload } from './topics.js';

/** What the MQTT feature needs from the daemon besides its API (the controller implements it). */
export interface MqttHost {
  readonly version: string;
  /** The requested power mode, stamped on each transcript as it is published. */
  readonly powerMode: PowerMode;
  /** Current problems (failed features, a pipeline that is down), each announced once as an error event. */
  problems(): string[];
}

/** Events published per round; the next round starts once the broker acknowledged all of them. */
const BATCH = 100;
const IDLE_POLL_MS = 250;
/** A round still unacknowledged after this long is published again (consumers drop duplicates by eventId). */
const ROUND_TIMEOUT_MS = 60_000;
const STATE_CHECK_MS = 1000;

export class MqttConfigError extends Error {
  override name = 'MqttConfigError';
}

function readSecret(path: string | null, what: string): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new MqttConfigError(`cannot read the MQTT ${what} file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** The broker URL without a password, for logs. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

export class MqttBridge {
  readonly topics: Topics;
  private client: MqttClient | null = null;
  private stopped = true;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private stateTimer: NodeJS.Timeout | null = null;
  private lastState = '';
  private lastStateAt = 0;
  private lastError = '';
  private readonly problems = new Set<string>();
  private reconnectMs: number;
  private stopSignal: Promise<boolean> = new Promise(() => undefined);
  private signalStop: () => void = () => undefined;

  constructor(
    /** fileNames: log.fileNames; file names go out on MQTT only when it is true (a name may be a person's). */
    private readonly config: MqttConfig & { url: string; fileNames: boolean },
    private readonly host: MqttHost,
    private readonly api: Api,
    /** The daemon's outbox (the controller's): events are read and acknowledged through the store. */
    private readonly outbox: Outbox,
    private readonly store: Pick<Store, 'events' | 'ackEvents'>,
    private readonly log: Logger,
  ) {
    this.topics = new Topics(config.baseTopic, config.deviceId ?? sanitiseDeviceId(hostname()));
    this.reconnectMs = config.reconnect.minMs;
  }

  /** Connects in the background: an unreachable broker is retried with back-off and never blocks the daemon. */
  async start(): Promise<void> {
    const c = this.config;
    const options: IClientOptions = {
      clientId: c.clientId ?? `hushscribe-${this.topics.device}`,
      username: c.username ?? undefined,
      password: readSecret(c.passwordFile, 'password')?.replace(/\r?\n$/, ''),
      ca: readSecret(c.tls.ca, 'CA'),
      cert: readSecret(c.tls.cert, 'client certificate'),
      key: readSecret(c.tls.key, 'client key'),
      rejectUnauthorized: c.tls.rejectUnauthorized,
      keepalive: c.keepaliveSec,
      protocolVersion: c.protocolVersion,
      // The broker drops what is bigger (mqtt.js would otherwise read a request of any size whole before we see it).
      ...(c.protocolVersion === 5 ? { properties: { maximumPacketSize: MAX_INCOMING_PACKET_BYTES } } : {}),
      reconnectPeriod: this.reconnectMs,
      connectTimeout: 30_000,
      will: { topic: this.topics.availability, payload: Buffer.from(JSON.stringify({ state: 'offline' })), qos: 1, retain: true },
    };
    this.stopped = false;
    this.stopSignal = new Promise((resolve) => (this.signalStop = () => resolve(false)));
    const client = mqtt.connect(c.url, options);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('close', () => {
      // Back off while the broker stays away; mqtt.js reads reconnectPeriod each time it schedules a retry.
      client.options.reconnectPeriod = this.reconnectMs;
      this.reconnectMs = Math.min(this.config.reconnect.maxMs, this.reconnectMs * 2);
    });
    client.on('error', (err) => {
      if (err.message === this.lastError) return;
      this.lastError = err.message;
      this.log.warn('MQTT connection problem; retrying', { url: safeUrl(c.url), error: err.message });
    });
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    this.log.info('MQTT connecting', { url: safeUrl(c.url), clientId: options.clientId, root: this.topics.root });
    this.loop = this.drain();
    this.stateTimer = setInterval(() => this.refreshState(), STATE_CHECK_MS);
    this.stateTimer.unref();
  }

  /** Publishes offline (the will covers an unclean end) and disconnects; undelivered events stay in the outbox. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    if (this.stateTimer) clearInterval(this.stateTimer);
    this.wakeUp?.();
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await Promise.race([
        client.publishAsync(this.topics.availability, JSON.stringify({ state: 'offline' }), { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
    }
    await client.endAsync(true).catch(() => undefined);
    await this.loop;
    this.log.info('MQTT disconnected', { pendingEvents: this.outbox.pending() });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  private onConnect(): void {
    const client = this.client!;
    this.reconnectMs = this.config.reconnect.minMs;
    client.options.reconnectPeriod = this.reconnectMs;
    this.lastError = '';
    this.log.info('MQTT connected', { root: this.topics.root });
    const ha = this.config.homeAssistant;
    const subscriptions = [this.topics.request('+'), ...(ha.enabled ? [`${ha.prefix}/status`] : [])];
    client.subscribe(subscriptions, { qos: 1 }, (err) => {
      if (err) this.log.error('MQTT subscribe failed', { error: err.message });
    });
    this.publish(this.topics.availability, { state: 'online' }, true);
    this.publishDiscovery();
    this.refreshState(true);
    this.wakeUp?.();
  }

  /**
   * A live partial: QoS 0 and not retained (the next one or the final transcript supersedes it); not queued in
   * the outbox, so while the broker is away partials are simply not sent.
   */
  publishPartial(partial: LivePartial): void {
    const client = this.client;
    if (!client?.connected) return;
    const payload: PartialPayload = {
      device: this.topics.device,
      source: partial.source,
      recordingId: partial.recordingId,
      seq: partial.seq,
      segmentId: `${partial.recordingId}:${partial.seq}`,
      partial: partial.counter,
      start: partial.start,
      end: partial.end,
      text: partial.text,
      final: false,
      createdAt: new Date().toISOString(),
    };
    client.publish(this.topics.partial, JSON.stringify(payload), { qos: 0, retain: false }, () => undefined);
  }

  private publish(topic: string, payload: unknown, retain = false): void {
    this.client?.publish(topic, JSON.stringify(payload), { qos: this.config.qos, retain }, (err) => {
      if (err && !this.stopped) this.log.warn('MQTT publish failed', { topic, error: err.message });
    });
  }

  private publishDiscovery(): void {
    const ha = this.config.homeAssistant;
    if (!ha.enabled) return;
    for (const { topic, payload } of discoveryMessages(this.topics, ha.prefix, this.host.version)) this.publish(topic, payload, true);
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const ha = this.config.homeAssistant;
    if (ha.enabled && topic === `${ha.prefix}/status`) {
      if (payload.toString().trim() === 'online') this.publishDiscovery();
      return;
    }
    const action = this.topics.actionOf(topic);
    if (action === null) return;
    if (retained) {
      // A retained command would run again on every reconnect.
      this.log.warn('ignoring a retained MQTT request', { action });
      return;
    }
    if (payload.length === 0) {
      // Clearing a retained request (mosquitto_pub -r -n) reaches subscribers as an empty message: not a command.
      this.log.info('ignoring an empty MQTT request (a retained request being cleared)', { action });
      return;
    }
    // A mode change is announced by the daemon itself (power_mode_changed), like the governor's own switches.
    void handleRequest(action, payload, this.api).then((response) => {
      this.log.info('MQTT request', { action, status: response.status, error: response.error });
      this.publish(this.topics.response(action), response);
      this.refreshState();
      this.wakeUp?.();
    });
  }

  private snapshot(): StatePayload {
    return { ...this.api.state.run(), outbox: { pending: this.outbox.pending(), dropped: this.outbox.dropped }, updatedAt: new Date().toISOString() };
  }

  /** Publishes the retained state when it changed (uptime aside) or every stateIntervalSec; raises new problems as error events. */
  private refreshState(force = false): void {
    this.safely(() => {
      for (const problem of this.host.problems()) {
        if (this.problems.has(problem)) continue;
        this.problems.add(problem);
        this.outbox.add('error', { message: problem });
      }
      if (this.outbox.trim() > 0)
        this.log.warn('MQTT outbox full; dropped the oldest events', { dropped: this.outbox.dropped, maxEvents: this.config.outbox.maxEvents });
      if (!this.client?.connected) return;
      const state = this.snapshot();
      const key = JSON.stringify({ ...state, uptimeSec: 0, updatedAt: '' });
      if (!force && key === this.lastState && Date.now() - this.lastStateAt < this.config.stateIntervalSec * 1000) return;
      this.lastState = key;
      this.lastStateAt = Date.now();
      this.publish(this.topics.state, state, true);
    });
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('MQTT feature error', { err });
    }
  }

  /** Publishes the outbox in id order, a round at a time, deleting each round only once the broker acknowledged it. */
  private async drain(): Promise<void> {
    let afterId = 0;
    while (!this.stopped) {
      const client = this.client!;
      const events = client.connected ? this.store.events(afterId, BATCH) : [];
      if (events.length === 0) {
        await this.idle(IDLE_POLL_MS);
        continue;
      }
      const powerMode = this.host.powerMode;
      const sends = events.map((event) => {
        const message = messageFor(event, this.topics, powerMode, this.config.fileNames);
        return message ? client.publishAsync(message.topic, JSON.stringify(message.payload), { qos: this.config.qos }) : Promise.resolve(undefined);
      });
      let timer: NodeJS.Timeout | undefined;
      const acked = await Promise.race([
        Promise.all(sends).then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ROUND_TIMEOUT_MS))),
        this.stopSignal,
      ]);
      clearTimeout(timer);
      if (!acked || this.stopped) continue;
      const last = events[events.length - 1]!.id;
      try {
        this.store.ackEvents(last);
        afterId = last;
      } catch (err) {
        this.log.error('could not delete delivered events from the outbox; they will be sent again', { err });
        await this.idle(IDLE_POLL_MS);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = null;
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
