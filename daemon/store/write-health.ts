/**
 * Which parts of the daemon the database is refusing writes to (locked by another process past busy_timeout,
 * disk full), and since when. Each writer says when it was refused and when it made progress again, so one
 * small write that happens to fit (a full disk still takes a few WAL frames) does not hide a queue that cannot
 * move. Read by the pipeline's health (status, MQTT state, systemd STATUS= and watchdog).
 */
export class WriteHealth {
  private readonly refused = new Map<string, { error: string; since: number }>();

  /** `who` (pipeline, watch) could not write: `err` is kept as `CODE: message`. */
  refuse(who: string, err: unknown): void {
    const error = `${(err as { code?: string }).code ?? 'ERROR'}: ${(err as Error).message}`;
    this.refused.set(who, { error, since: this.refused.get(who)?.since ?? Date.now() });
  }

  /** `who` made progress again. */
  accept(who: string): void {
    this.refused.delete(who);
  }

  isRefused(who: string): boolean {
    return this.refused.has(who);
  }

  /** The longest-standing refusal, or null when every writer makes progress. */
  get problem(): { error: string; since: number } | null {
    let oldest: { error: string; since: number } | null = null;
    for (const p of this.refused.values()) if (!oldest || p.since < oldest.since) oldest = p;
    return oldest;
  }
}
