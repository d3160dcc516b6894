/**
 * The bounded side of the store's events outbox: events the daemon itself raises (power mode, errors) and the
 * limit on how many undelivered events are kept while the broker is away. When the limit is passed the oldest
 * are deleted and an `outbox.dropped` event saying how many (and which ids) takes their place in the same
 * transaction, so a loss is always announced, never silent.
 */
import type { Store } from '../store/store.js';

export class Outbox {
  /** Events dropped since this daemon started (each drop is also reported by an outbox event). */
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

  /**
   * Deletes the oldest events beyond maxEvents (keeping room for the report); returns how many were dropped. An
   * earlier report that is itself dropped is folded into the new one, so the reports received always add up.
   */
  trim(): number {
    return this.store.db.transaction(() => {
      const over = this.pending() - this.maxEvents;
      if (over <= 0) return 0;
      // One more than the excess, to make room for the report.
      const oldest = this.store.db.prepare('SELECT id, kind, payload FROM events ORDER BY id LIMIT ?').all(over + 1) as { id: number; kind: string; payload: string }[];
      let lost = 0; // events this trim deletes, reports aside
      let dropped = 0;
      let firstEventId = oldest[0]!.id;
      for (const event of oldest) {
        if (event.kind !== 'outbox.dropped') {
          lost += 1;
          dropped += 1;
          continue;
        }
        const report = JSON.parse(event.payload) as { dropped: number; firstEventId: number };
        dropped += report.dropped;
        firstEventId = Math.min(firstEventId, report.firstEventId);
      }
      const lastEventId = oldest[oldest.length - 1]!.id;
      this.store.db.prepare('DELETE FROM events WHERE id <= ?').run(lastEventId);
      this.dropped += lost;
      this.add('outbox.dropped', { dropped, firstEventId, lastEventId, droppedSinceStart: this.dropped, maxEvents: this.maxEvents });
      return lost;
    })();
  }
}
