/**
 * The SQLite store: recordings, redacted segments, entity spans, full-text search and the events outbox.
 * Crash safety comes from SQLite (WAL, one transaction per change together with its outbox event) plus
 * idempotent writes: segments are keyed by (recording, seq), and a recording left 'processing' by a crash is
 * re-queued at startup and its segments replaced as it is transcribed again.
 *
 * Every write transaction is BEGIN IMMEDIATE: it takes the write lock first, so busy_timeout waits out another
 * writer (a backup, `sqlite3` with an open transaction). A deferred one that read first cannot wait: SQLite fails
 * its upgrade to a writer at once with SQLITE_BUSY. What outlasts busy_timeout (and SQLITE_FULL) the callers
 * retry with back-off (see isRetryableStoreError).
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EntityType } from '../../redaction/types.js';
import type { RedactedSegment, StoredWord } from '../redaction/segment.js';
import { MIGRATIONS } from './migrations.js';
import { isKnownEvent, type OutboxEventData, type StoredOutboxEvent } from './outbox-events.js';
import { WriteHealth } from './write-health.js';

/** How long one write waits for another process's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 2000;

/** Starts of one recording before it is failed as TOO_MANY_ATTEMPTS (a file that crashes or hangs the worker). */
export const MAX_ATTEMPTS = 10;

export const RECORDING_STATUSES = ['queued', 'processing', 'done', 'failed'] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

export interface Recording {
  id: string;
  source: string;
  fileName: string | null;
  path: string | null;
  bytes: number | null;
  status: RecordingStatus;
  errorCode: string | null;
  errorMessage: string | null;
  durationSec: number | null;
  progressSec: number;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  segmentCount: number;
  /** The redacted audio file (redaction.audio), or null when none was written. */
  redactedAudio: string | null;
}

export interface StoredSegment extends Omit<RedactedSegment, 'redactedText'> {
  recordingId: string;
  text: string;
}

export interface SearchHit {
  recordingId: string;
  seq: number;
  start: number;
  end: number;
  text: string;
  snippet: string;
}

export interface NewRecording {
  id: string;
  source: string;
  fileName?: string | null;
  path?: string | null;
  bytes?: number | null;
}

/**
 * Errors that pass by themselves: another process holds the database (BUSY, LOCKED), the disk is full (FULL) or
 * failing (IOERR, e.g. ENOSPC while growing the WAL). The write is retried later; anything else is a bug.
 */
export function isRetryableStoreError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/.test(code);
}

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly code: 'NOT_FOUND' | 'BAD_QUERY' | 'BAD_STATE' | 'NEWER_SCHEMA',
    message: string,
  ) {
    super(message);
  }
}

interface RecordingRow {
  id: string;
  source: string;
  file_name: string | null;
  path: string | null;
  bytes: number | null;
  status: RecordingStatus;
  error_code: string | null;
  error_message: string | null;
  duration_sec: number | null;
  progress_sec: number;
  attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  segment_count: number;
  redacted_audio: string | null;
}

interface SegmentRow {
  recording_id: string;
  seq: number;
  start_sec: number;
  end_sec: number;
  text: string;
  words: string;
  model: string;
  variant: string;
}

interface EntityRow {
  seq: number;
  type: EntityType;
  redacted_start: number;
  redacted_end: number;
  audio_start: number | null;
  audio_end: number | null;
  score: number;
  detector: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function toRecording(row: RecordingRow): Recording {
  return {
    id: row.id,
    source: row.source,
    fileName: row.file_name,
    path: row.path,
    bytes: row.bytes,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    durationSec: row.duration_sec,
    progressSec: row.progress_sec,
    attempts: row.attempts,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    segmentCount: row.segment_count,
    redactedAudio: row.redacted_audio,
  };
}

const RECORDING_COLUMNS = `r.*, (SELECT count(*) FROM segments s WHERE s.recording_id = r.id) AS segment_count`;

/** Turns free text into an FTS5 query of quoted terms (all must match), so user input is never FTS syntax. */
export function ftsQuery(text: string): string {
  const terms = text
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => `"${t.replace(/"/g, '""')}"`);
  if (terms.length === 0) throw new StoreError('BAD_QUERY', 'search needs at least one word');
  return terms.join(' ');
}

export interface OpenOptions {
  readonly?: boolean;
  /** Injected clock (ms since epoch) so retention can be tested without waiting days. */
  now?: () => number;
  /**
   * Whether changes are announced in the events outbox (default true). Without MQTT nothing would ever drain it,
   * so the daemon turns it off and no rows accumulate.
   */
  outbox?: boolean;
}

/** What one retention pass did: the recordings it deleted, and the size limit it could not meet (else null). */
export interface RetentionResult {
  deleted: string[];
  unmet: RetentionShortfall | null;
}

/**
 * store.retention.maxBytes cannot be met: even with every recording retention may delete gone (all finished ones
 * but the newest), transcripts and audio would hold `floorBytes`. Nothing is deleted for size then.
 */
export interface RetentionShortfall {
  maxBytes: number;
  retainedBytes: number;
  floorBytes: number;
}

export class Store {
  readonly db: Database.Database;
  private readonly now: () => number;
  readonly outboxEnabled: boolean;
  /** Whether the database accepts its writers' writes (reported by them; see WriteHealth). */
  readonly writeHealth = new WriteHealth();

  constructor(
    readonly file: string,
    options: OpenOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.outboxEnabled = options.outbox ?? true;
    if (options.readonly) {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) throw new StoreError('NEWER_SCHEMA', `${file} was written by a newer hushscribe (schema ${version})`);
      return;
    }
    mkdirSync(dirname(file), { recursive: true });
    restrictDatabaseFiles(file);
    this.db = new Database(file);
    // Waits out a short lock (a backup's, a second's `sqlite3` transaction). The wait blocks the event loop, so
    // it is kept short: longer locks are retried with back-off by the callers instead.
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // auto_vacuum must be chosen before the first table exists; incremental lets retention hand space back.
    if ((this.db.pragma('user_version', { simple: true }) as number) === 0) this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) throw new StoreError('NEWER_SCHEMA', `${this.file} was written by a newer hushscribe (schema ${version})`);
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.write(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      });
    }
  }

  /** Runs `fn` as one BEGIN IMMEDIATE transaction (nested: a savepoint). */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    this.db.close();
  }

  /** Queues one outbox event (a no-op when the outbox is off); inside the store's own transactions it commits with the change it describes. */
  addEvent(event: OutboxEventData): void {
    if (!this.outboxEnabled) return;
    this.write(() =>
      this.db.prepare('INSERT INTO events (kind, payload, created_at) VALUES (?, ?, ?)').run(event.kind, JSON.stringify(event.payload), this.now()),
    );
  }

  // ---- recordings -------------------------------------------------------------------------------------------

  /** Queues a recording unless one with this id exists; returns the row and whether it was new. */
  enqueue(rec: NewRecording): { recording: Recording; created: boolean } {
    return this.write(() => {
      const info = this.db
        .prepare(`INSERT OR IGNORE INTO recordings (id, source, file_name, path, bytes, status, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)`)
        .run(rec.id, rec.source, rec.fileName ?? null, rec.path ?? null, rec.bytes ?? null, this.now());
      const created = info.changes === 1;
      if (created) this.addEvent({ kind: 'recording.queued', payload: { recordingId: rec.id, source: rec.source, fileName: rec.fileName ?? null } });
      return { recording: this.get(rec.id)!, created };
    });
  }

  /**
   * Records an entry that cannot be transcribed at all (a FIFO, a folder named *.wav) as failed with `code`, so
   * it is listed rather than silently ignored; once per id. Returns whether it was new.
   */
  skip(rec: NewRecording, code: string, message: string): boolean {
    return this.write(() => {
      const info = this.db
        .prepare(
          `INSERT OR IGNORE INTO recordings (id, source, file_name, path, status, error_code, error_message, created_at, finished_at) VALUES (?, ?, ?, ?, 'failed', ?, ?, ?, ?)`,
        )
        .run(rec.id, rec.source, rec.fileName ?? null, rec.path ?? null, code, message, this.now(), this.now());
      if (info.changes === 1) this.addEvent({ kind: 'recording.failed', payload: { recordingId: rec.id, errorCode: code, errorMessage: message } });
      return info.changes === 1;
    });
  }

  get(id: string): Recording | null {
    const row = this.db.prepare(`SELECT ${RECORDING_COLUMNS} FROM recordings r WHERE r.id = ?`).get(id) as RecordingRow | undefined;
    return row ? toRecording(row) : null;
  }

  /** Newest first. */
  list(options: { status?: RecordingStatus; limit?: number; offset?: number } = {}): Recording[] {
    const where = options.status ? 'WHERE r.status = @status' : '';
    const rows = this.db
      .prepare(`SELECT ${RECORDING_COLUMNS} FROM recordings r ${where} ORDER BY r.created_at DESC, r.id LIMIT @limit OFFSET @offset`)
      .all({ status: options.status, limit: options.limit ?? -1, offset: options.offset ?? 0 }) as RecordingRow[];
    return rows.map(toRecording);
  }

  countByStatus(): Record<RecordingStatus, number> {
    const counts = Object.fromEntries(RECORDING_STATUSES.map((s) => [s, 0])) as Record<RecordingStatus, number>;
    for (const row of this.db.prepare('SELECT status, count(*) AS n FROM recordings GROUP BY status').all() as { status: RecordingStatus; n: number }[])
      counts[row.status] = row.n;
    return counts;
  }

  /** A live session (microphone, command) starts 'processing' at once: there is no file to queue. */
  startStream(rec: NewRecording): Recording {
    return this.write(() => {
      this.db
        .prepare(`INSERT INTO recordings (id, source, file_name, status, attempts, created_at, started_at) VALUES (?, ?, ?, 'processing', 1, ?, ?)`)
        .run(rec.id, rec.source, rec.fileName ?? null, this.now(), this.now());
      this.addEvent({ kind: 'recording.started', payload: { recordingId: rec.id, source: rec.source } });
      return this.get(rec.id)!;
    });
  }

  /**
   * At startup, before requeueInterrupted: live sessions a crash cut off cannot be resumed (their audio was
   * only ever in RAM), so they are closed as done with what was stored, marked INTERRUPTED.
   */
  closeInterruptedStreams(): string[] {
    return this.write(() => {
      const rows = this.db.prepare(`SELECT id, progress_sec FROM recordings WHERE status = 'processing' AND path IS NULL`).all() as {
        id: string;
        progress_sec: number;
      }[];
      for (const { id, progress_sec } of rows) {
        this.db
          .prepare(
            `UPDATE recordings SET status = 'done', duration_sec = ?, finished_at = ?, error_code = 'INTERRUPTED', error_message = 'the daemon stopped during this live session; segments up to then are kept' WHERE id = ?`,
          )
          .run(progress_sec, this.now(), id);
        this.addEvent({
          kind: 'recording.done',
          payload: {
            recordingId: id,
            durationSec: progress_sec,
            segments: (this.db.prepare('SELECT count(*) AS n FROM segments WHERE recording_id = ?').get(id) as { n: number }).n,
            interrupted: true,
          },
        });
      }
      return rows.map((r) => r.id);
    });
  }

  /**
   * At startup: whatever a crash left 'processing' goes back to the queue (its segments are replaced on the next
   * run). `refund`: the start does not count towards MAX_ATTEMPTS (a clean stop, or the database refused a write: not the audio's fault).
   */
  requeueInterrupted(onlyId?: string, refund = false): string[] {
    return this.write(() => {
      const ids = (
        this.db
          .prepare(`SELECT id FROM recordings WHERE status = 'processing' AND path IS NOT NULL AND (@id IS NULL OR id = @id) ORDER BY created_at`)
          .all({ id: onlyId ?? null }) as { id: string }[]
      ).map((r) => r.id);
      for (const id of ids) {
        this.db.prepare(`UPDATE recordings SET status = 'queued', progress_sec = 0, attempts = max(0, attempts - ?) WHERE id = ?`).run(refund ? 1 : 0, id);
        this.addEvent({ kind: 'recording.requeued', payload: { recordingId: id } });
      }
      return ids;
    });
  }

  /**
   * A failed recording back in the queue with a fresh count of attempts (`hushscribe retry`, or its source seen
   * again after a failure that was not the audio's fault). Throws NOT_FOUND when it is unknown, not failed, or its
   * audio file is gone.
   */
  retry(id: string, path?: string): Recording {
    return this.write(() => {
      const recording = this.get(id);
      if (recording?.status !== 'failed') throw new StoreError('NOT_FOUND', `no failed recording ${id}`);
      if (!(path ?? recording.path)) throw new StoreError('NOT_FOUND', `recording ${id} has no audio file left to transcribe`);
      this.db
        .prepare(
          `UPDATE recordings SET status = 'queued', attempts = 0, progress_sec = 0, error_code = NULL, error_message = NULL, finished_at = NULL, path = coalesce(?, path) WHERE id = ?`,
        )
        .run(path ?? null, id);
      this.addEvent({ kind: 'recording.requeued', payload: { recordingId: id } });
      return this.get(id)!;
    });
  }

  /**
   * The oldest queued recording, now marked 'processing'; null when the queue is empty. A recording already
   * started MAX_ATTEMPTS times (each start cut off by a crash or a hang) is failed instead of tried forever.
   */
  claimNext(): Recording | null {
    return this.write(() => {
      let row: { id: string; attempts: number } | undefined;
      for (;;) {
        row = this.db.prepare(`SELECT id, attempts FROM recordings WHERE status = 'queued' ORDER BY created_at, id LIMIT 1`).get() as typeof row;
        if (!row || row.attempts < MAX_ATTEMPTS) break;
        const message = `transcription was started ${row.attempts} times and never finished (the daemon crashed or hung on it); giving up`;
        this.db
          .prepare(`UPDATE recordings SET status = 'failed', error_code = 'TOO_MANY_ATTEMPTS', error_message = ?, finished_at = ? WHERE id = ?`)
          .run(message, this.now(), row.id);
        this.addEvent({ kind: 'recording.failed', payload: { recordingId: row.id, errorCode: 'TOO_MANY_ATTEMPTS', errorMessage: message } });
      }
      if (!row) return null;
      this.db
        .prepare(`UPDATE recordings SET status = 'processing', attempts = attempts + 1, started_at = ?, progress_sec = 0 WHERE id = ?`)
        .run(this.now(), row.id);
      this.addEvent({ kind: 'recording.started', payload: { recordingId: row.id } });
      return this.get(row.id);
    });
  }

  setProgress(id: string, progressSec: number, durationSec: number | null): void {
    this.write(() =>
      this.db.prepare('UPDATE recordings SET progress_sec = ?, duration_sec = coalesce(?, duration_sec) WHERE id = ?').run(progressSec, durationSec, id),
    );
  }

  private requireProcessing(id: string): void {
    const rec = this.db.prepare('SELECT status FROM recordings WHERE id = ?').get(id) as { status: RecordingStatus } | undefined;
    if (!rec) throw new StoreError('NOT_FOUND', `no recording ${id}`);
    if (rec.status !== 'processing') throw new StoreError('BAD_STATE', `recording ${id} is ${rec.status}, not processing`);
  }

  /**
   * Stores one redacted segment (insert or replace by (recording, seq)) with its entity spans and, when its
   * content is new or changed, a 'segment' outbox event, all in one transaction. Returns whether it changed.
   */
  putSegment(recordingId: string, seg: RedactedSegment): boolean {
    return this.write(() => {
      this.requireProcessing(recordingId);
      const words = JSON.stringify(seg.words);
      const existing = this.db
        .prepare('SELECT start_sec, end_sec, text, words, model, variant FROM segments WHERE recording_id = ? AND seq = ?')
        .get(recordingId, seg.seq) as Omit<SegmentRow, 'recording_id' | 'seq'> | undefined;
      const same =
        existing !== undefined &&
        existing.text === seg.redactedText &&
        existing.words === words &&
        existing.start_sec === seg.start &&
        existing.end_sec === seg.end &&
        existing.model === seg.model &&
        existing.variant === seg.variant;
      if (same) return false;
      this.db
        .prepare(
          `INSERT INTO segments (recording_id, seq, start_sec, end_sec, text, words, model, variant, created_at)
           VALUES (@recordingId, @seq, @start, @end, @text, @words, @model, @variant, @now)
           ON CONFLICT (recording_id, seq) DO UPDATE SET start_sec = excluded.start_sec, end_sec = excluded.end_sec, text = excluded.text,
             words = excluded.words, model = excluded.model, variant = excluded.variant, created_at = excluded.created_at`,
        )
        .run({
          recordingId,
          seq: seg.seq,
          start: seg.start,
          end: seg.end,
          text: seg.redactedText,
          words,
          model: seg.model,
          variant: seg.variant,
          now: this.now(),
        });
      this.db.prepare('DELETE FROM entities WHERE recording_id = ? AND seq = ?').run(recordingId, seg.seq);
      const insertEntity = this.db.prepare(
        `INSERT INTO entities (recording_id, seq, idx, type, redacted_start, redacted_end, audio_start, audio_end, score, detector)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      seg.entities.forEach((e, idx) => {
        insertEntity.run(recordingId, seg.seq, idx, e.type, e.redactedStart, e.redactedEnd, e.audioStart, e.audioEnd, e.score, e.detector);
      });
      this.addEvent({
        kind: 'segment',
        payload: {
          recordingId,
          seq: seg.seq,
          start: seg.start,
          end: seg.end,
          text: seg.redactedText,
          // Type and audio position only, never the value (MQTT consumers can find where personal data was said).
          entities: seg.entities.map((e) => ({ type: e.type, audioStart: e.audioStart, audioEnd: e.audioEnd })),
          model: seg.model,
          variant: seg.variant,
        },
      });
      return true;
    });
  }

  /** Completes a recording: drops segments beyond the final count (left by an interrupted earlier run) and marks it done. */
  finish(id: string, result: { durationSec: number; segmentCount: number; redactedAudio?: { path: string; bytes: number } | null }): void {
    this.write(() => {
      this.requireProcessing(id);
      this.db.prepare('DELETE FROM segments WHERE recording_id = ? AND seq >= ?').run(id, result.segmentCount);
      this.db
        .prepare(
          `UPDATE recordings SET status = 'done', duration_sec = ?, progress_sec = ?, finished_at = ?, redacted_audio = ?, redacted_audio_bytes = ? WHERE id = ?`,
        )
        .run(result.durationSec, result.durationSec, this.now(), result.redactedAudio?.path ?? null, result.redactedAudio?.bytes ?? null, id);
      this.addEvent({ kind: 'recording.done', payload: { recordingId: id, durationSec: result.durationSec, segments: result.segmentCount } });
    });
  }

  /** A result that no longer stands for its source (the file changed while it was transcribed): removed, and announced. */
  discard(id: string): void {
    const audio = this.get(id)?.redactedAudio ?? null;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
      this.addEvent({ kind: 'recording.deleted', payload: { recordingId: id, reason: 'source_changed' } });
    })();
    if (audio) rmSync(audio, { force: true });
  }

  /** Where a finished recording's original file is now: its kept copy, or null once deleted (retention removes a kept one). */
  setOriginal(id: string, path: string | null): void {
    this.db.prepare('UPDATE recordings SET path = ? WHERE id = ?').run(path, id);
  }

  /** Records why a recording could not be transcribed. `message` must not contain transcript text. */
  fail(id: string, code: string, message: string): void {
    this.write(() => {
      this.requireProcessing(id);
      this.db
        .prepare(`UPDATE recordings SET status = 'failed', error_code = ?, error_message = ?, finished_at = ? WHERE id = ?`)
        .run(code, message, this.now(), id);
      this.addEvent({ kind: 'recording.failed', payload: { recordingId: id, errorCode: code, errorMessage: message } });
    });
  }

  // ---- segments and search ----------------------------------------------------------------------------------

  segments(recordingId: string): StoredSegment[] {
    const rows = this.db.prepare('SELECT * FROM segments WHERE recording_id = ? ORDER BY seq').all(recordingId) as SegmentRow[];
    const entities = this.db.prepare('SELECT * FROM entities WHERE recording_id = ? ORDER BY seq, idx').all(recordingId) as EntityRow[];
    return rows.map((r) => ({
      recordingId: r.recording_id,
      seq: r.seq,
      start: r.start_sec,
      end: r.end_sec,
      text: r.text,
      words: JSON.parse(r.words) as StoredWord[],
      model: r.model,
      variant: r.variant,
      entities: entities
        .filter((e) => e.seq === r.seq)
        .map((e) => ({
          type: e.type,
          redactedStart: e.redacted_start,
          redactedEnd: e.redacted_end,
          audioStart: e.audio_start,
          audioEnd: e.audio_end,
          score: e.score,
          detector: e.detector,
        })),
    }));
  }

  search(text: string, limit = 50): SearchHit[] {
    try {
      const rows = this.db
        .prepare(
          `SELECT s.recording_id, s.seq, s.start_sec, s.end_sec, s.text, snippet(segments_fts, 0, '[', ']', '…', 12) AS snippet
           FROM segments_fts JOIN segments s ON s.rowid = segments_fts.rowid
           WHERE segments_fts MATCH ? ORDER BY rank LIMIT ?`,
        )
        .all(ftsQuery(text), limit) as (Pick<SegmentRow, 'recording_id' | 'seq' | 'start_sec' | 'end_sec' | 'text'> & { snippet: string })[];
      return rows.map((r) => ({ recordingId: r.recording_id, seq: r.seq, start: r.start_sec, end: r.end_sec, text: r.text, snippet: r.snippet }));
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError('BAD_QUERY', `cannot search for that: ${(err as Error).message}`);
    }
  }

  // ---- outbox -----------------------------------------------------------------------------------------------

  /** Events after `afterId`, oldest first (for the publisher). */
  events(afterId = 0, limit = 100): StoredOutboxEvent[] {
    const rows = this.db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as {
      id: number;
      kind: string;
      payload: string;
      created_at: number;
    }[];
    return rows.map((r) => ({ id: r.id, kind: r.kind, payload: JSON.parse(r.payload) as unknown, createdAt: iso(r.created_at)! }));
  }

  /** Deletes every event (left from when MQTT was configured, with the outbox now off); returns how many. */
  clearEvents(): number {
    return this.write(() => this.db.prepare('DELETE FROM events').run().changes);
  }

  /** The publisher confirms delivery up to and including `id`. */
  ackEvents(upToId: number): number {
    return this.write(() => this.db.prepare('DELETE FROM events WHERE id <= ?').run(upToId).changes);
  }

  /** Events not yet delivered. */
  pendingEvents(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  /**
   * Keeps at most maxEvents undelivered events: deletes the oldest beyond it (one more, to make room for the
   * report) and adds an `outbox.dropped` event saying how many and which ids, in one transaction, so a loss is
   * always announced. An earlier report that is itself dropped is folded into the new one, so the reports received
   * always add up. `droppedBefore`: events this daemon dropped earlier (the report's droppedSinceStart adds them).
   * Returns how many events were lost now, reports aside.
   */
  trimEvents(maxEvents: number, droppedBefore: number): number {
    return this.write(() => {
      const over = this.pendingEvents() - maxEvents;
      if (over <= 0) return 0;
      const oldest = this.events(0, over + 1);
      let lost = 0;
      let dropped = 0;
      let firstEventId = oldest[0]!.id;
      for (const event of oldest) {
        if (!isKnownEvent(event) || event.kind !== 'outbox.dropped') {
          lost += 1;
          dropped += 1;
          continue;
        }
        dropped += event.payload.dropped;
        firstEventId = Math.min(firstEventId, event.payload.firstEventId);
      }
      const lastEventId = oldest[oldest.length - 1]!.id;
      this.ackEvents(lastEventId);
      this.addEvent({ kind: 'outbox.dropped', payload: { dropped, firstEventId, lastEventId, droppedSinceStart: droppedBefore + lost, maxEvents } });
      return lost;
    });
  }

  // ---- housekeeping -----------------------------------------------------------------------------------------

  /** Bytes of live data (pages in use), which deletions lower even before the file shrinks. */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /**
   * Bytes that recordings and transcripts occupy in the database (page bytes in use, indexes and search index
   * included): everything but the events outbox. Counted in use rather than whole pages, so deleting one
   * recording lowers it at once even when its rows shared pages with others.
   */
  transcriptBytes(): number {
    return (
      this.db.prepare(`SELECT coalesce(sum(pgsize - unused), 0) AS n FROM dbstat('main', 1) WHERE name NOT IN ('events', 'sqlite_sequence')`).get() as {
        n: number;
      }
    ).n;
  }

  /** Bytes of the redacted audio files the recordings point to (counted against retention.maxBytes). */
  audioBytes(): number {
    return (this.db.prepare('SELECT coalesce(sum(redacted_audio_bytes), 0) AS n FROM recordings').get() as { n: number }).n;
  }

  /** What store.retention.maxBytes limits: transcripts and their redacted audio. The outbox has its own bound (mqtt.outbox.maxEvents). */
  retainedBytes(): number {
    return this.transcriptBytes() + this.audioBytes();
  }

  /**
   * Deletes finished recordings older than maxAgeDays, then, while transcripts and redacted audio hold more than
   * maxBytes, the oldest finished ones, one at a time, stopping as soon as the limit is met. 0 disables either
   * limit. Never deleted: queued and processing recordings, the events outbox, and (for size) the newest finished one. A
   * size limit that deleting cannot meet is returned as `unmet` and nothing is deleted for it. A recording's
   * redacted audio file is deleted with it, after the deletion is committed.
   */
  applyRetention(retention: { maxAgeDays: number; maxBytes: number }): RetentionResult {
    const deleted: string[] = [];
    let unmet: RetentionShortfall | null = null;
    const remove = (ids: string[]) => {
      const files: string[] = [];
      this.write(() => {
        for (const id of ids) {
          const audio = this.db.prepare('SELECT redacted_audio, source, path FROM recordings WHERE id = ?').get(id) as {
            redacted_audio: string | null;
            source: string;
            path: string | null;
          };
          if (audio.redacted_audio) files.push(audio.redacted_audio);
          // A watch-folder original kept with sources.watch.keepOriginals goes with its recording (ingested files are the user's).
          if (audio.source === 'watch' && audio.path) files.push(audio.path);
          this.db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
          this.addEvent({ kind: 'recording.deleted', payload: { recordingId: id, reason: 'retention' } });
          deleted.push(id);
        }
      });
      for (const file of files) rmSync(file, { force: true });
    };
    // Oldest first; the newest finished recording is never a candidate.
    const candidates = () =>
      (
        this.db
          .prepare(
            `SELECT id FROM recordings WHERE status IN ('done', 'failed') AND id NOT IN
               (SELECT id FROM recordings WHERE status IN ('done', 'failed') ORDER BY coalesce(finished_at, created_at) DESC, id DESC LIMIT 1)
             ORDER BY coalesce(finished_at, created_at), id`,
          )
          .all() as { id: string }[]
      ).map((r) => r.id);
    if (retention.maxAgeDays > 0) {
      const cutoff = this.now() - retention.maxAgeDays * 86_400_000;
      const old = this.db.prepare(`SELECT id FROM recordings WHERE status IN ('done', 'failed') AND coalesce(finished_at, created_at) < ?`).all(cutoff) as {
        id: string;
      }[];
      remove(old.map((r) => r.id));
    }
    if (retention.maxBytes > 0 && this.retainedBytes() > retention.maxBytes) {
      const ids = candidates();
      const floorBytes = this.bytesWithout(ids);
      if (floorBytes > retention.maxBytes) {
        unmet = { maxBytes: retention.maxBytes, retainedBytes: this.retainedBytes(), floorBytes };
      } else {
        for (const id of ids) {
          if (this.retainedBytes() <= retention.maxBytes) break;
          remove([id]);
        }
      }
    }
    if (deleted.length > 0) this.db.pragma('incremental_vacuum');
    return { deleted, unmet };
  }

  /** retainedBytes() as it would be with these recordings deleted: measured inside a transaction that is rolled back. */
  private bytesWithout(ids: string[]): number {
    let bytes = 0;
    const rollback = new Error('measured; roll back');
    try {
      this.write(() => {
        const del = this.db.prepare('DELETE FROM recordings WHERE id = ?');
        for (const id of ids) del.run(id);
        bytes = this.retainedBytes();
        throw rollback;
      });
    } catch (err) {
      if (err !== rollback) throw err;
    }
    return bytes;
  }

  /** 'ok' or SQLite's list of problems. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }
}

/** Owner read-write, group read (the CLI's group), nobody else. SQLite gives the -wal and -shm files the database's mode. */
const DATABASE_FILE_MODE = 0o640;

/**
 * Creates the database file 0640 before SQLite does (outside systemd the umask is often 022, which made it
 * world-readable), and tightens the files an earlier version left wider.
 */
function restrictDatabaseFiles(file: string): void {
  closeSync(openSync(file, 'a', DATABASE_FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((statSync(path).mode & 0o777 & ~DATABASE_FILE_MODE) !== 0) chmodSync(path, DATABASE_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
