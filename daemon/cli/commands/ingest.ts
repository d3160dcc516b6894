/** `hushscribe ingest FILE`: hands a recording to the running daemon and follows it to the end. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, daemonRequest, reportError } from '../../control/cli-support.js';
import { ControlError } from '../../control/protocol.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Recording } from '../../store/store.js';

const usage = `Usage: hushscribe ingest FILE... [--no-wait] [--progress] [--data-dir DIR] [--json]

Queues recordings with the running daemon (which must be able to read them) and waits until each is
transcribed, showing a progress bar on a terminal. A file already transcribed is not transcribed again.
When the queue is full, waits for room.

Options:
  --no-wait        return once queued
  --progress       draw the progress bar even when stderr is not a terminal
${COMMON_USAGE}

Exit codes: 0 all done, 3 a recording failed (its error is shown) or a file is unreadable, 4 daemon not running.`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function queue(loaded: LoadedConfig, path: string, io: CommandIo): Promise<{ recording: Recording; created: boolean }> {
  let told = false;
  for (;;) {
    try {
      return await daemonRequest(loaded, 'ingest', { path });
    } catch (err) {
      if (!(err instanceof ControlError) || err.code !== 'QUEUE_FULL') throw err;
      if (!told) io.stderr.write('the daemon queue is full; waiting for room...\n');
      told = true;
      await sleep(1000);
    }
  }
}

function bar(recording: Recording): string {
  const total = recording.durationSec;
  const fraction = total ? Math.min(1, recording.progressSec / total) : 0;
  const width = 30;
  const filled = Math.round(fraction * width);
  return `\r${recording.fileName ?? recording.id} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(fraction * 100)
    .toString()
    .padStart(3)}% ${recording.progressSec.toFixed(1)}/${total === null ? '?' : total.toFixed(1)} s`;
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Hand recordings to the running daemon and wait for their transcripts',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, 'no-wait': { type: 'boolean', default: false }, progress: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    if (positionals.length === 0) throw new UsageError('which file?');
    const json = values.json ?? false;
    const showBar = !json && (values.progress || (io.stderr as NodeJS.WriteStream).isTTY === true);
    let worst: number = ExitCode.ok;
    try {
      const loaded = cliConfig(values);
      for (const file of positionals) {
        let { recording, created } = await queue(loaded, resolve(file), io);
        while (!values['no-wait'] && (recording.status === 'queued' || recording.status === 'processing')) {
          if (showBar) io.stderr.write(bar(recording));
          await sleep(250);
          recording = (await daemonRequest<{ recording: Recording }>(loaded, 'recordings.get', { id: recording.id })).recording;
        }
        if (showBar) io.stderr.write(`${bar(recording)}\n`);
        if (recording.status === 'failed') worst = ExitCode.inputError;
        if (json) io.stdout.write(`${JSON.stringify({ file, created, recording })}\n`);
        else {
          const what = recording.status === 'failed' ? `failed [${recording.errorCode}] ${recording.errorMessage}` : recording.status === 'done' ? `done, ${recording.segmentCount} segments, ${recording.durationSec?.toFixed(1)} s` : recording.status;
          io.stdout.write(`${file}: ${what} (id ${recording.id}${created ? '' : ', seen before'})\n`);
        }
      }
      return worst;
    } catch (err) {
      return reportError(err, io, 'ingest', json);
    }
  },
};
