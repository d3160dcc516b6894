/** `hushscribe listen`: prints the running daemon's live transcripts as they are spoken, redacted. */
import { createConnection } from 'node:net';
import { parseArgs } from 'node:util';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, reportError } from '../../control/cli-support.js';
import { controlSocketPath } from '../../config/load.js';
import { DaemonNotRunningError } from '../../control/client.js';
import type { LivePartial } from '../../sources/live.js';

const usage = `Usage: hushscribe listen [--data-dir DIR] [--json]

Shows what the daemon's live sources (microphone, command) hear, redacted like stored transcripts: the
partial transcript of the segment being spoken rewrites the current line (live.partialIntervalMs), then the
final transcript is printed on its own line. Partials are never stored. Stops on Ctrl-C.
With --json: one JSON object per partial ("final": false) and final ("final": true).

Options:
${COMMON_USAGE}

Exit codes: 0 stopped, 4 daemon not running.`;

type LiveEvent = LivePartial | (Omit<LivePartial, 'final' | 'counter'> & { final: true });

/** Line-rewriting output for a terminal: \\r and erase-line, so the partial grows in place. */
export function renderLive(event: LiveEvent): string {
  return event.final ? `\r\x1b[2K${event.text}\n` : `\r\x1b[2K${event.text}`;
}

export const listenCommand: Command = {
  name: 'listen',
  summary: 'Print live transcripts as they are spoken (partials, then finals), redacted',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: false });
    const json = values.json ?? false;
    try {
      const socketPath = controlSocketPath(cliConfig(values).config);
      return await new Promise<number>((resolve, reject) => {
        const socket = createConnection(socketPath);
        let buffer = '';
        socket.setEncoding('utf8');
        socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, method: 'live.listen' })}\n`));
        socket.on('data', (text: string) => {
          buffer += text;
          for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
            const line = JSON.parse(buffer.slice(0, newline)) as { event?: LiveEvent; ok?: boolean; error?: { message: string } };
            buffer = buffer.slice(newline + 1);
            if (line.ok === false) reject(new Error(line.error?.message ?? 'live.listen refused'));
            if (!line.event) continue;
            io.stdout.write(json ? `${JSON.stringify(line.event)}\n` : renderLive(line.event));
          }
        });
        socket.on('close', () => resolve(ExitCode.ok));
        socket.on('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? new DaemonNotRunningError(socketPath) : err),
        );
        const stop = () => socket.end();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    } catch (err) {
      return reportError(err, io, 'listen', json);
    }
  },
};
