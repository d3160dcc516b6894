/**
 * The governor's sysfs readings: CPU temperature (thermal_zoneN/temp, millidegrees C) and on-battery state
 * (power_supply/NAME/online or status). A file that is missing or holds something unexpected is reported as a
 * problem and left out; it never stops the daemon. A `*` in a path component matches any entry there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

export interface Reading<T> {
  value: T | null;
  /** Files that matched and were read. */
  sources: number;
  /** One line per file that could not be used, e.g. "/sys/.../temp: not a temperature ('abc')". */
  problems: string[];
}

/** Expands `*` in path components (sysfs globs); a pattern without `*` is returned as is, so a missing file is reported. */
export function expandPaths(patterns: readonly string[]): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!pattern.includes('*')) {
      out.push(pattern);
      continue;
    }
    let prefixes = [pattern.startsWith(sep) ? sep : '.'];
    for (const part of pattern.split(sep).filter(Boolean)) {
      if (!part.includes('*')) {
        prefixes = prefixes.map((p) => join(p, part));
        continue;
      }
      const re = new RegExp(`^${part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      prefixes = prefixes.flatMap((p) => {
        try {
          return readdirSync(p)
            .filter((name) => re.test(name))
            .sort()
            .map((name) => join(p, name));
        } catch {
          return [];
        }
      });
    }
    out.push(...prefixes);
  }
  return [...new Set(out)];
}

function readText(path: string, problems: string[]): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    problems.push(`${path}: not readable (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return null;
  }
}

/** Kernel thermal zones report millidegrees; anything outside this is a broken sensor, not a temperature. */
const MIN_MILLI_C = -50_000;
const MAX_MILLI_C = 200_000;

/** The hottest readable zone, in degrees C. */
export function readTemperature(patterns: readonly string[]): Reading<number> {
  const problems: string[] = [];
  let hottest: number | null = null;
  let sources = 0;
  for (const path of expandPaths(patterns)) {
    const text = readText(path, problems);
    if (text === null) continue;
    const milli = /^-?\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isFinite(milli) || milli < MIN_MILLI_C || milli > MAX_MILLI_C) {
      problems.push(`${path}: not a temperature in millidegrees (${JSON.stringify(text.slice(0, 20))})`);
      continue;
    }
    sources++;
    hottest = Math.max(hottest ?? -Infinity, milli / 1000);
  }
  return { value: hottest, sources, problems };
}

const MAINS_STATUS = ['Charging', 'Full', 'Not charging'];

/**
 * True when running on battery: no supply says mains (an `online` of 1, or a battery `status` of Charging, Full
 * or Not charging) and at least one says battery (`online` 0, `status` Discharging). null when nothing tells.
 */
export function readOnBattery(patterns: readonly string[]): Reading<boolean> {
  const problems: string[] = [];
  let mains = false;
  let battery = false;
  let sources = 0;
  for (const path of expandPaths(patterns)) {
    const text = readText(path, problems);
    if (text === null) continue;
    if (path.endsWith('online') && (text === '0' || text === '1')) {
      if (text === '1') mains = true;
      else battery = true;
    } else if (path.endsWith('status') && (MAINS_STATUS.includes(text) || text === 'Discharging' || text === 'Unknown')) {
      if (MAINS_STATUS.includes(text)) mains = true;
      else if (text === 'Discharging') battery = true;
    } else {
      problems.push(`${path}: not a power_supply online (0/1) or status value (${JSON.stringify(text.slice(0, 20))})`);
      continue;
    }
    sources++;
  }
  return { value: mains ? false : battery ? true : null, sources, problems };
}
