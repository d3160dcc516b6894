/**
 * The bounded side of the store's events outbox: events the daemon itself raises (power mode, errors) and the
 * limit on how many undelivered events are kept while the broker is away. When the limit is passed the oldest
 * are deleted and an `outbox.dropped` event saying how many (and which ids) takes their place in the same
 * transaction, so a loss is always announced, never silent.
 */
import type { Store } from '../store/store.js';

export class Outbox {
  /** Dropped since this daemon started (each drop is also an outbox event, so it survives restarts). */
  dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly maxEvents: number,
    private readonly now: () => number = Date.now,
  ) {}

  pending(): number {
    return (this.store.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  add(kind: string, payload: unknown): void {
    this.store.db.prepare('INSERT INTO events (kind, payload, created_at) VALUES (?, ?, ?)').run(kind, JSON.stringify(payload), this.now());
  }

  /** Deletes the oldest events beyond maxEvents (keeping room for the report); returns how many were dropped. */
  trim(): number {
    return this.store.db.transaction(() => {
      const excess = this.pending() - this.maxEvents + 1;
      if (excess <= 0) return 0;
      const range = this.store.db.prepare('SELECT min(id) AS first, max(id) AS last FROM (SELECT id FROM events ORDER BY id LIMIT ?)').get(excess) as { first: number; last: number };
      this.store.db.prepare('DELETE FROM events WHERE id <= ?').run(range.last);
      this.dropped += excess;
      this.add('outbox.dropped', { dropped: excess, firstEventId: range.first, lastEventId: range.last, droppedSinceStart: this.dropped, maxEvents: this.maxEvents });
      return excess;
    })();
  }
}
