/**
 * The power governor: decides which model variant transcribes the next recording, dense or sparse.
 * `dense` and `sparse` are fixed; `auto` goes sparse under pressure (transcription backlog, CPU heat, running on
 * battery) and back to the model's calm variant when it has gone: dense, unless the manifest's default variant is
 * the sparse one (a sparse model that is also the more accurate, as hushscribe-en-v1's run 8 is), when `auto` stays
 * sparse. Each signal has its own enter/leave thresholds (hysteresis) and a
 * switch waits at least minDwellSec after the previous one, so the variant does not flap. A model without a
 * sparse variant always runs dense. Pure apart from reading the configured sysfs files; the caller acts on the
 * changes it returns (log, count, announce).
 */
import type { PowerConfig, PowerMode } from '../config/schema.js';
import { readOnBattery, readTemperature } from './sensors.js';

export type PowerVariant = 'dense' | 'sparse';

export const NO_SPARSE_REASON = 'the model has no sparse variant; running dense';

export interface PowerSignals {
  backlog: { queued: number | null; active: boolean };
  thermal: { celsius: number | null; sources: number; active: boolean; problems: string[] };
  battery: { onBattery: boolean | null; sources: number; active: boolean; problems: string[] };
}

export interface PowerState {
  mode: PowerMode;
  variant: PowerVariant;
  reason: string;
  sparseAvailable: boolean;
  /** Variant switches since the daemon started. */
  switches: number;
  lastSwitchAt: string | null;
  signals: PowerSignals;
}

export interface PowerChange {
  previousMode: PowerMode;
  mode: PowerMode;
  previousVariant: PowerVariant;
  variant: PowerVariant;
  reason: string;
  switches: number;
}

export class PowerGovernor {
  private mode: PowerMode;
  private variant: PowerVariant = 'dense';
  private reason = 'starting';
  private switches = 0;
  private lastSwitchAt: number | null = null;
  private readonly signals: PowerSignals = {
    backlog: { queued: null, active: false },
    thermal: { celsius: null, sources: 0, active: false, problems: [] },
    battery: { onBattery: null, sources: 0, active: false, problems: [] },
  };
  private readonly reported = new Set<string>();

  constructor(
    private readonly config: PowerConfig,
    readonly sparseAvailable: boolean,
    /** What `auto` runs without pressure (settings.ts calmVariantOf: the manifest's default). */
    private readonly calmVariant: PowerVariant = 'dense',
    private readonly now: () => number = Date.now,
  ) {
    this.mode = config.mode;
    this.decide(true);
    // Where it starts is not a switch.
    this.switches = 0;
    this.lastSwitchAt = null;
  }

  /** A requested mode applies at once (no dwell): the next recording uses it. */
  setMode(mode: PowerMode): PowerChange | null {
    const previousMode = this.mode;
    const previousVariant = this.variant;
    this.mode = mode;
    this.decide(true);
    return previousMode === mode && previousVariant === this.variant ? null : this.change(previousMode, previousVariant);
  }

  /** Reads the signals (queued: recordings waiting, null if unknown) and switches if they say so. */
  update(queued: number | null): PowerChange | null {
    this.read(queued);
    const previousVariant = this.variant;
    this.decide(false);
    return previousVariant === this.variant ? null : this.change(this.mode, previousVariant);
  }

  state(): PowerState {
    return {
      mode: this.mode,
      variant: this.variant,
      reason: this.reason,
      sparseAvailable: this.sparseAvailable,
      switches: this.switches,
      lastSwitchAt: this.lastSwitchAt === null ? null : new Date(this.lastSwitchAt).toISOString(),
      signals: structuredClone(this.signals),
    };
  }

  /** Sensor problems not returned before, so each is logged once. */
  newProblems(): string[] {
    const fresh = [...this.signals.thermal.problems, ...this.signals.battery.problems].filter((p) => !this.reported.has(p));
    for (const p of fresh) this.reported.add(p);
    return fresh;
  }

  private read(queued: number | null): void {
    const { backlog, thermal, battery } = this.config;
    const s = this.signals;
    s.backlog.queued = queued;
    s.backlog.active = queued !== null && (s.backlog.active ? queued > backlog.leaveQueued : queued >= backlog.enterQueued);
    const temp = readTemperature(thermal.paths);
    const c = temp.value;
    s.thermal = {
      celsius: c,
      sources: temp.sources,
      problems: temp.problems,
      active: c !== null && (s.thermal.active ? c > thermal.leaveC : c >= thermal.enterC),
    };
    const power = readOnBattery(battery.paths);
    s.battery = { onBattery: power.value, sources: power.sources, problems: power.problems, active: battery.sparseOnBattery && power.value === true };
  }

  private decide(requested: boolean): void {
    if (!this.sparseAvailable) {
      this.reason = NO_SPARSE_REASON;
      return;
    }
    if (this.mode !== 'auto') {
      this.reason = `power mode ${this.mode}`;
      this.switchTo(this.mode);
      return;
    }
    const pressure = this.pressure();
    const want: PowerVariant = pressure.length > 0 ? 'sparse' : this.calmVariant;
    const calm = this.calmVariant === 'sparse' ? `; sparse is the model's default` : '';
    const reason = pressure.length > 0 ? pressure.join('; ') : `no pressure (${this.calm()})${calm}`;
    const waitMs = this.lastSwitchAt === null ? 0 : this.config.minDwellSec * 1000 - (this.now() - this.lastSwitchAt);
    if (want !== this.variant && waitMs > 0 && !requested) {
      this.reason = `${reason}; staying ${this.variant} for ${Math.ceil(waitMs / 1000)} s more (minDwellSec)`;
      return;
    }
    this.reason = reason;
    this.switchTo(want);
  }

  private pressure(): string[] {
    const { backlog, thermal, battery } = this.signals;
    const out: string[] = [];
    if (backlog.active)
      out.push(`backlog ${backlog.queued} queued (sparse from ${this.config.backlog.enterQueued}, dense at ${this.config.backlog.leaveQueued})`);
    if (thermal.active) out.push(`cpu ${thermal.celsius!.toFixed(1)} C (sparse from ${this.config.thermal.enterC}, dense at ${this.config.thermal.leaveC})`);
    if (battery.active) out.push('on battery');
    return out;
  }

  private calm(): string {
    const { backlog, thermal, battery } = this.signals;
    return [
      backlog.queued === null ? 'backlog unknown' : `backlog ${backlog.queued} queued`,
      thermal.celsius === null ? 'no cpu temperature' : `cpu ${thermal.celsius.toFixed(1)} C`,
      battery.onBattery === null ? 'power source unknown' : battery.onBattery ? 'on battery' : 'on mains',
    ].join(', ');
  }

  private switchTo(variant: PowerVariant): void {
    if (variant === this.variant) return;
    this.variant = variant;
    this.switches++;
    this.lastSwitchAt = this.now();
  }

  private change(previousMode: PowerMode, previousVariant: PowerVariant): PowerChange {
    return { previousMode, mode: this.mode, previousVariant, variant: this.variant, reason: this.reason, switches: this.switches };
  }
}
