/**
 * The events outbox: every event the daemon announces, declared once as a discriminated union on `kind`. The
 * store writes each in the same transaction as the change it describes (the enqueue, the stored segment, ...),
 * reads them back for the MQTT publisher and owns all their SQL; mqtt/messages.ts maps each kind to its topic.
 * Payloads carry ids, counts, codes and redacted text only: they are published as they are.
 */
import type { EntityType } from '../../redaction/types.js';
import type { PowerMode } from '../config/schema.js';
import type { PowerVariant } from '../power/governor.js';

/** Where personal data was said in a published segment: its type and audio times, never its value. */
export type SegmentEntityRef = { type: EntityType; audioStart: number | null; audioEnd: number | null };

export type SegmentEventPayload = {
  recordingId: string;
  seq: number;
  start: number;
  end: number;
  /** Redacted text. */
  text: string;
  /** Types only (EntityType) in events stored before audio times were added. */
  entities: (SegmentEntityRef | EntityType)[];
  model: string;
  variant: string;
};

export type OutboxEventData =
  | { kind: 'recording.queued'; payload: { recordingId: string; source: string; fileName: string | null } }
  | { kind: 'recording.started'; payload: { recordingId: string; source?: string } }
  | { kind: 'recording.requeued'; payload: { recordingId: string } }
  | { kind: 'recording.done'; payload: { recordingId: string; durationSec: number; segments: number; interrupted?: true } }
  | { kind: 'recording.failed'; payload: { recordingId: string; errorCode: string; errorMessage: string } }
  | { kind: 'recording.deleted'; payload: { recordingId: string; reason: 'retention' | 'source_changed' } }
  | { kind: 'segment'; payload: SegmentEventPayload }
  | {
      kind: 'power_mode.changed';
      payload: { previous: PowerMode; powerMode: PowerMode; previousVariant: PowerVariant; variant: PowerVariant; reason: string; switches: number };
    }
  | { kind: 'outbox.dropped'; payload: { dropped: number; firstEventId: number; lastEventId: number; droppedSinceStart: number; maxEvents: number } }
  | { kind: 'error'; payload: { message: string } };

export type OutboxKind = OutboxEventData['kind'];

/** Every kind, once (a Record, so the compiler insists on all of them). */
const KNOWN_KINDS: Record<OutboxKind, true> = {
  'recording.queued': true,
  'recording.started': true,
  'recording.requeued': true,
  'recording.done': true,
  'recording.failed': true,
  'recording.deleted': true,
  segment: true,
  'power_mode.changed': true,
  'outbox.dropped': true,
  error: true,
};

/** The payload of one kind, e.g. OutboxPayload<'error'> is { message: string }. */
export type OutboxPayload<K extends OutboxKind> = Extract<OutboxEventData, { kind: K }>['payload'];

/** An event as stored: its id (increasing: the publish order) and when it was written. */
export type OutboxEvent = OutboxEventData & { id: number; createdAt: string };

/** An event as read back: one of ours, or a kind this version does not know (written by a newer daemon). */
export type StoredOutboxEvent = OutboxEvent | { id: number; kind: string; payload: unknown; createdAt: string };

export function isKnownEvent(event: StoredOutboxEvent): event is OutboxEvent {
  return Object.hasOwn(KNOWN_KINDS, event.kind);
}
