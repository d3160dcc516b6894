/**
 * The bounded side of the store's events outbox: events the daemon itself raises (power mode, errors) and the
 * limit on how many undelivered events are kept while the broker is away (Store.trimEvents: the oldest go, and an
 * `outbox.dropped` event saying how many takes their place, so a loss is always announced). One per daemon,
 * shared by the controller and the MQTT bridge; it runs no SQL of its own.
 */
import type { OutboxEventData, OutboxKind, OutboxPayload } from '../store/outbox-events.js';
import type { Store } from '../store/store.js';

export class Outbox {
  /** Events dropped since this daemon started (each drop is also reported by an outbox event). */
  dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly maxEvents: number,
  ) {}

  pending(): number {
    return this.store.pendingEvents();
  }

  add<K extends OutboxKind>(kind: K, payload: OutboxPayload<K>): void {
    // TypeScript cannot correlate K with its payload inside the union; the signature above checks the pair.
    this.store.addEvent({ kind, payload } as OutboxEventData);
  }

  /** Deletes the oldest events beyond maxEvents; returns how many were dropped. */
  trim(): number {
    const lost = this.store.trimEvents(this.maxEvents, this.dropped);
    this.dropped += lost;
    return lost;
  }
}
