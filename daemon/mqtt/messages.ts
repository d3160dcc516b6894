/** Turns one outbox event into the MQTT message that announces it (topic and JSON payload). */
import type { PowerMode } from '../config/schema.js';
import { isKnownEvent, type OutboxKind, type StoredOutboxEvent } from '../store/outbox-events.js';
import type { EventKind, EventPayload, Topics, TranscriptPayload } from './topics.js';

export interface OutgoingMessage {
  topic: string;
  payload: TranscriptPayload | EventPayload;
}

const WITHHELD = '[withheld]';

/** The event/<name> each kind is announced as (segments go to `transcript`). */
const EVENT_NAMES: Record<Exclude<OutboxKind, 'segment'>, EventKind> = {
  'recording.queued': 'recording_queued',
  'recording.started': 'recording_started',
  'recording.requeued': 'recording_requeued',
  'recording.done': 'recording_finished',
  'recording.failed': 'recording_failed',
  'recording.deleted': 'recording_deleted',
  'power_mode.changed': 'power_mode_changed',
  'outbox.dropped': 'outbox_dropped',
  error: 'error',
};

/** null for a kind this version does not announce (an event written by a newer daemon): it is acked and skipped. */
export function messageFor(event: StoredOutboxEvent, topics: Topics, powerMode: PowerMode, fileNames = false): OutgoingMessage | null {
  if (!isKnownEvent(event)) return null;
  if (event.kind === 'segment') {
    const s = event.payload;
    const payload: TranscriptPayload = {
      eventId: event.id,
      device: topics.device,
      recordingId: s.recordingId,
      segmentId: `${s.recordingId}:${s.seq}`,
      seq: s.seq,
      start: s.start,
      end: s.end,
      text: s.text,
      entities: s.entities.map((e) => (typeof e === 'string' ? { type: e, audioStart: null, audioEnd: null } : e)),
      model: s.model,
      variant: s.variant,
      powerMode,
      createdAt: event.createdAt,
    };
    return { topic: topics.transcript, payload };
  }
  const kind = EVENT_NAMES[event.kind];
  // A recording's file name may be a person's name: it leaves the device only with log.fileNames.
  const data = event.kind === 'recording.queued' && !fileNames && event.payload.fileName !== null ? { ...event.payload, fileName: WITHHELD } : event.payload;
  return { topic: topics.event(kind), payload: { eventId: event.id, device: topics.device, kind, createdAt: event.createdAt, data } };
}
