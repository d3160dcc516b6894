/** `hushscribe pause` / `hushscribe resume`: the running daemon stops or starts taking recordings from its queue. */
import { parseArgs } from 'node:util';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, daemonRequest, reportError } from '../../control/cli-support.js';

function queueCommand(name: 'pause' | 'resume', summary: string, explanation: string): Command {
  return {
    name,
    summary,
    usage: `Usage: hushscribe ${name} [--data-dir DIR] [--json]

${explanation} Not kept across restarts. The same as the MQTT request ${name} and the Home Assistant button.

Options:
${COMMON_USAGE}

Exit codes: 0 ok, 4 daemon not running.`,
    async run(argv: string[], io: CommandIo): Promise<number> {
      const { values } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: false });
      const json = values.json ?? false;
      try {
        const result = await daemonRequest<{ paused: boolean }>(cliConfig(values), name, {}, 10_000);
        io.stdout.write(
          json
            ? `${JSON.stringify(result)}\n`
            : result.paused
              ? 'paused: the recording in progress finishes; queued ones wait for `hushscribe resume`\n'
              : 'resumed: taking recordings from the queue\n',
        );
        return ExitCode.ok;
      } catch (err) {
        return reportError(err, io, name, json);
      }
    },
  };
}

export const pauseCommand = queueCommand(
  'pause',
  'Pause the running daemon: queued recordings wait',
  'Lets the recording in progress finish and takes nothing new from the queue until resume.',
);
export const resumeCommand = queueCommand('resume', 'Resume a paused daemon', 'Takes recordings from the queue again.');
