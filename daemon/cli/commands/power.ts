/** `hushscribe power [set MODE]`: shows or sets the running daemon's power mode (dense, sparse, auto). */
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, daemonRequest, reportError } from '../../control/cli-support.js';
import { POWER_MODES } from '../../config/schema.js';
import type { PowerState } from '../../power/governor.js';

const usage = `Usage: hushscribe power [set MODE] [--data-dir DIR] [--json]

Without arguments, shows the power governor: requested mode, the model variant in use (dense or sparse),
why, the number of switches and each signal (backlog, CPU temperature, battery) with any file it cannot read.
\`set MODE\` asks the running daemon for ${POWER_MODES.join(', ')}; it applies from the next recording and is
announced over MQTT like set_power_mode. Not kept across restarts: set power.mode in the config for that.

Options:
${COMMON_USAGE}

Exit codes: 0 ok, 2 bad usage, 4 daemon not running.`;

/** One line for `status` and `power`. */
export function powerLine(p: PowerState): string {
  return `power: ${p.mode}, running ${p.variant} (${p.reason}; ${p.switches} switch${p.switches === 1 ? '' : 'es'})`;
}

function signalLines(p: PowerState): string[] {
  const { backlog, thermal, battery } = p.signals;
  const lines = [
    `  backlog: ${backlog.queued ?? '?'} queued${backlog.active ? ' (pressure)' : ''}`,
    `  cpu: ${thermal.celsius === null ? 'no reading' : `${thermal.celsius.toFixed(1)} C`}${thermal.active ? ' (pressure)' : ''}`,
    `  battery: ${battery.onBattery === null ? 'unknown' : battery.onBattery ? 'on battery' : 'on mains'}${battery.active ? ' (pressure)' : ''}`,
  ];
  for (const problem of [...thermal.problems, ...battery.problems]) lines.push(`  ignored: ${problem}`);
  return lines;
}

export const powerCommand: Command = {
  name: 'power',
  summary: 'Show or set the power mode (dense, sparse, auto) of the running daemon',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: true });
    const json = values.json ?? false;
    const [action, mode, ...rest] = positionals;
    if (action !== undefined && action !== 'set') throw new UsageError(`unknown action "${action}" (only "set MODE")`);
    if (action === 'set' && (mode === undefined || rest.length > 0)) throw new UsageError('power set takes one MODE');
    if (mode !== undefined && !(POWER_MODES as readonly string[]).includes(mode)) throw new UsageError(`MODE must be one of ${POWER_MODES.join(', ')}`);
    try {
      const loaded = cliConfig(values);
      if (mode !== undefined) {
        const result = await daemonRequest<{ previous: string; power: PowerState }>(loaded, 'power.set', { mode });
        if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
        else io.stdout.write(`power mode ${result.previous} -> ${mode}\n${powerLine(result.power)}\n`);
        return ExitCode.ok;
      }
      const power = await daemonRequest<PowerState>(loaded, 'power.get');
      if (json) io.stdout.write(`${JSON.stringify(power)}\n`);
      else io.stdout.write(`${[powerLine(power), ...signalLines(power)].join('\n')}\n`);
      return ExitCode.ok;
    } catch (err) {
      return reportError(err, io, 'power', json);
    }
  },
};
