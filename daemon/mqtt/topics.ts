/**
 * Every MQTT topic hushscribe uses and the payload type published (or accepted) on it. README.md documents the
 * same map with JSON schemas; change both together.
 */
import type { DeviceState } from '../api/types.js';
import type { PowerMode } from '../config/schema.js';
import type { SegmentEntityRef } from '../store/outbox-events.js';

export const REQUEST_ACTIONS = ['status', 'pause', 'resume', 'set_power_mode', 'reload_config', 'retry'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/** event/<kind>: outbox kinds map to these names (recording.done is announced as recording_finished). */
export const EVENT_KINDS = [
  'recording_queued',
  'recording_started',
  'recording_requeued',
  'recording_finished',
  'recording_failed',
  'recording_deleted',
  'power_mode_changed',
  'outbox_dropped',
  'error',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface AvailabilityPayload {
  state: 'online' | 'offline';
}

export interface TranscriptPayload {
  /** The outbox id: unique per device and increasing, so consumers drop QoS 1 duplicates by it. */
  eventId: number;
  device: string;
  recordingId: string;
  /** `<recordingId>:<seq>`; a re-transcribed segment keeps its id and gets a new eventId. */
  segmentId: string;
  seq: number;
  start: number;
  end: number;
  /** Redacted text: personal data is replaced by placeholders such as [PERSON]. */
  text: string;
  entities: SegmentEntityRef[];
  model: string;
  variant: string;
  /** The power mode when the segment was published. */
  powerMode: PowerMode;
  createdAt: string;
}

export interface EventPayload {
  eventId: number;
  device: string;
  kind: EventKind;
  createdAt: string;
  /** The kind's fields, e.g. recordingId, errorCode, errorMessage (never transcript text). */
  data: Record<string, unknown>;
}

/** The retained device state: the API's `state` plus the outbox and when it was taken. */
export interface StatePayload extends DeviceState {
  outbox: { pending: number; dropped: number };
  updatedAt: string;
}

/** A redacted partial transcript of the live segment being spoken: QoS 0, not retained, never stored. */
export interface PartialPayload {
  device: string;
  source: string;
  recordingId: string;
  /** The seq (and segmentId) its final transcript will have. */
  seq: number;
  segmentId: string;
  /** Counts this segment's partials from 0; a later one replaces an earlier one. */
  partial: number;
  start: number;
  end: number;
  text: string;
  final: false;
  createdAt: string;
}

/** Fields of a request: `transaction` (any JSON value) is echoed; `mode` for set_power_mode. */
export interface RequestPayload {
  transaction?: unknown;
  mode?: PowerMode;
}

export interface ResponsePayload {
  status: 'ok' | 'error';
  data: unknown;
  error: string | null;
  transaction: unknown;
}

/** The typed map: topic (relative to `<base>/<device>/`) to the payload published or accepted there. */
export interface TopicPayloads {
  availability: AvailabilityPayload;
  transcript: TranscriptPayload;
  partial: PartialPayload;
  [event: `event/${string}`]: EventPayload;
  state: StatePayload;
  [request: `request/${string}`]: RequestPayload;
  [response: `response/${string}`]: ResponsePayload;
}

export type DeviceTopic = keyof TopicPayloads;

/** Builds absolute topics for one device. */
export class Topics {
  readonly root: string;

  constructor(
    readonly base: string,
    readonly device: string,
  ) {
    this.root = `${base}/${device}`;
  }

  topic(relative: DeviceTopic): string {
    return `${this.root}/${relative}`;
  }

  get availability(): string {
    return this.topic('availability');
  }

  get transcript(): string {
    return this.topic('transcript');
  }

  get state(): string {
    return this.topic('state');
  }

  get partial(): string {
    return this.topic('partial');
  }

  event(kind: EventKind): string {
    return this.topic(`event/${kind}`);
  }

  request(action: string): string {
    return this.topic(`request/${action}`);
  }

  response(action: string): string {
    return this.topic(`response/${action}`);
  }

  /** The action of a request topic, or null if `topic` is not one. */
  actionOf(topic: string): string | null {
    const prefix = `${this.root}/request/`;
    return topic.startsWith(prefix) ? topic.slice(prefix.length) : null;
  }
}

/** A topic-safe device id from a hostname: lower case, anything but [a-z0-9_-] becomes '_'. */
export function sanitiseDeviceId(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return id || 'hushscribe';
}
