/** `hushscribe status`: is the daemon up, what is it doing, what is in the database. */
import { parseArgs } from 'node:util';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { databasePath } from '../../config/load.js';
import { DaemonNotRunningError } from '../../control/client.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, daemonRequest, openStoreReadonly, reportError } from '../../control/cli-support.js';
import type { PowerState } from '../../power/governor.js';
import { powerLine } from './power.js';

const usage = `Usage: hushscribe status [--data-dir DIR] [--json]

Shows whether the daemon is running, its pipeline state and features, and recording counts.
When the daemon is not running, the counts come from the database directly.

Options:
${COMMON_USAGE}

Exit codes: 0 running, 4 not running (counts still shown when a database exists), 3 invalid config.`;

interface DaemonStatus {
  pid: number;
  version: string;
  uptimeSec: number;
  features: Record<string, { state: string; error: string | null }>;
  pipeline: {
    state: string;
    paused: boolean;
    recordingId: string | null;
    healthy: boolean;
    model: { name: string; variant: string } | null;
    error: string | null;
    database: { error: string; sinceMs: number } | null;
  };
  retention: { unmet: { maxBytes: number; floorBytes: number } | null };
  recordings: Record<string, number>;
  watchDir: string | null;
  originals: { kept: boolean; dir: string | null; detail: string };
  live: Record<string, { state: string; recordingId: string | null; heardSec: number; lastError: string | null; partialsDropped?: number }>;
  power: PowerState;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show whether the daemon runs, what it is doing and recording counts',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: false });
    const json = values.json ?? false;
    try {
      const loaded = cliConfig(values);
      let status: DaemonStatus;
      try {
        status = await daemonRequest<DaemonStatus>(loaded, 'status', {}, 10_000);
      } catch (err) {
        if (!(err instanceof DaemonNotRunningError)) throw err;
        let recordings: Record<string, number> | null = null;
        try {
          const store = openStoreReadonly(loaded);
          recordings = store.countByStatus();
          store.close();
        } catch {
          // no database yet
        }
        if (json) io.stdout.write(`${JSON.stringify({ running: false, database: databasePath(loaded.config), recordings })}\n`);
        else
          io.stdout.write(
            `daemon: not running\ndatabase: ${databasePath(loaded.config)}${recordings ? `\nrecordings: ${formatCounts(recordings)}` : ' (none yet)'}\n`,
          );
        return ExitCode.unavailable;
      }
      if (json) {
        io.stdout.write(`${JSON.stringify({ running: true, ...status })}\n`);
        return ExitCode.ok;
      }
      const p = status.pipeline;
      const lines = [
        `daemon: running (pid ${status.pid}, version ${status.version}, up ${status.uptimeSec} s)`,
        `pipeline: ${p.state}${p.paused ? ', paused (hushscribe resume)' : ''}${p.recordingId ? ` on ${p.recordingId}` : ''}${p.model ? ` (model ${p.model.name}/${p.model.variant})` : ''}${p.error ? ` - ${p.error}` : ''}`,
        `features: ${Object.entries(status.features)
          .map(([name, f]) => `${name} ${f.state}${f.error ? ` (${f.error})` : ''}`)
          .join(', ')}`,
        `recordings: ${formatCounts(status.recordings)}`,
        powerLine(status.power),
      ];
      if (p.database) lines.push(`database: refuses writes for ${Math.round(p.database.sinceMs / 1000)} s (${p.database.error}); retrying, nothing is lost`);
      const unmet = status.retention.unmet;
      if (unmet)
        lines.push(
          `retention: store.retention.maxBytes ${unmet.maxBytes} cannot be met (${unmet.floorBytes} bytes are not deletable); nothing deleted for size`,
        );
      if (status.watchDir) lines.push(`watching: ${status.watchDir}`, `originals: ${status.originals.detail}`);
      for (const [name, l] of Object.entries(status.live))
        lines.push(
          `${name}: ${l.state}${l.recordingId ? ` (session ${l.recordingId}, ${l.heardSec.toFixed(0)} s heard)` : ''}${l.partialsDropped ? `, ${l.partialsDropped} partials dropped` : ''}${l.lastError ? ` - ${l.lastError}` : ''}`,
        );
      io.stdout.write(`${lines.join('\n')}\n`);
      return ExitCode.ok;
    } catch (err) {
      return reportError(err, io, 'status', json);
    }
  },
};

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}
