/**
 * sd_notify for Type=notify units: READY=1 once started, STATUS= lines, STOPPING=1 on shutdown, and WATCHDOG=1
 * pings only while the pipeline is healthy (not stalled on a recording, not blocked by the database), so a hung transcription gets the
 * service restarted by systemd instead of being hidden by a timer that always pings.
 */
import { sdNotify } from '../native/index.js';
import type { Logger } from './log/logger.js';

export class SystemdNotifier {
  private timer: NodeJS.Timeout | null = null;
  private readonly enabled = Boolean(process.env.NOTIFY_SOCKET);
  private warnedUnhealthy = false;

  constructor(
    private readonly status: () => string,
    private readonly healthy: () => boolean,
    private readonly log: Logger,
  ) {}

  private send(message: string): void {
    if (!this.enabled) return;
    try {
      sdNotify(message);
    } catch (err) {
      this.log.warn('sd_notify failed', { err });
    }
  }

  /** Starts watchdog pings at half of $WATCHDOG_USEC (when systemd asked for them). */
  start(): void {
    const usec = Number(process.env.WATCHDOG_USEC);
    const forUs = !process.env.WATCHDOG_PID || Number(process.env.WATCHDOG_PID) === process.pid;
    if (!this.enabled || !Number.isFinite(usec) || usec <= 0 || !forUs) return;
    this.timer = setInterval(() => this.tick(), Math.max(500, usec / 2000));
  }

  /** STATUS= every tick, so `systemctl status` tells the truth while unhealthy too; WATCHDOG=1 only while healthy. */
  private tick(): void {
    if (this.healthy()) {
      this.warnedUnhealthy = false;
      this.send(`WATCHDOG=1\nSTATUS=${this.status()}`);
      return;
    }
    this.send(`STATUS=${this.status()}`);
    if (!this.warnedUnhealthy) {
      this.warnedUnhealthy = true;
      this.log.error('pipeline stalled; withholding watchdog pings so systemd restarts the service');
    }
  }

  ready(): void {
    this.send(`READY=1\nSTATUS=${this.status()}\nMAINPID=${process.pid}`);
  }

  stopping(): void {
    this.send('STOPPING=1\nSTATUS=stopping');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
