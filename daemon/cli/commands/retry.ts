/** `hushscribe retry ID... | --failed`: failed recordings back in the running daemon's queue, with fresh attempts. */
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, daemonRequest, reportError } from '../../control/cli-support.js';

const usage = `Usage: hushscribe retry ID... | --failed [--data-dir DIR] [--json]

Puts failed recordings back in the running daemon's queue (after fixing what failed them: a model, a disk).
--failed retries every failed recording whose audio file is still there. A recording whose original was
deleted cannot be retried. The same as the control-socket method recordings.retry and the MQTT request retry.

Options:
  --failed         every failed recording
${COMMON_USAGE}

Exit codes: 0 queued, 2 bad usage, 3 no such failed recording (or its file is gone), 4 daemon not running.`;

export const retryCommand: Command = {
  name: 'retry',
  summary: 'Queue failed recordings again',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, failed: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    if (values.failed === positionals.length > 0) throw new UsageError('give recording ids or --failed');
    const json = values.json ?? false;
    try {
      const loaded = cliConfig(values);
      const requests = values.failed ? [{ failed: true }] : positionals.map((id) => ({ id }));
      const requeued: string[] = [];
      for (const params of requests) requeued.push(...(await daemonRequest<{ requeued: string[] }>(loaded, 'recordings.retry', params, 10_000)).requeued);
      io.stdout.write(
        json
          ? `${JSON.stringify({ requeued })}\n`
          : requeued.length > 0
            ? `queued again: ${requeued.join(', ')}\n`
            : 'no failed recording with its audio still there\n',
      );
      return ExitCode.ok;
    } catch (err) {
      return reportError(err, io, 'retry', json);
    }
  },
};
