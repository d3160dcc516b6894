/**
 * `hushscribe ingest FILE`: hands a recording to the running daemon and follows it to the end. The file is copied
 * into the daemon's watch folder (which members of its group may write to) rather than read by the daemon where it
 * is: under systemd the daemon cannot see /home (ProtectHome), and the control socket reads no paths outside the
 * watch folder. From there the watch folder takes it like any dropped file: queued once, the copy deleted (or kept,
 * with keepOriginals) once transcribed; the file given stays where it is.
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { freeName } from '../../sources/watch.js';
import { recordingIdForFile } from '../../store/ids.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, daemonRequest, InputError, reportError } from '../../control/cli-support.js';
import { ControlError } from '../../control/protocol.js';
import type { LoadedConfig } from '../../config/load.js';
import type { Recording } from '../../store/store.js';

const usage = `Usage: hushscribe ingest FILE... [--no-wait] [--progress] [--data-dir DIR] [--json]

Copies recordings into the running daemon's watch folder (sources.watch.dir) and waits until each is
transcribed, showing a progress bar on a terminal. The files given stay where they are; the copy is
deleted once transcribed (unless sources.watch.keepOriginals). A file already transcribed is not copied
or transcribed again. When the queue is full, the copy waits in the folder for room.

Options:
  --no-wait        return once queued
  --progress       draw the progress bar even when stderr is not a terminal
${COMMON_USAGE}

Exit codes: 0 all done, 3 a recording failed (its error is shown) or a file is unreadable, 4 daemon not running.`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A recording the daemon has not seen yet: NOT_FOUND until the watch folder queues the copy. */
async function lookup(loaded: LoadedConfig, id: string): Promise<Recording | null> {
  try {
    return (await daemonRequest<{ recording: Recording }>(loaded, 'recordings.get', { id })).recording;
  } catch (err) {
    if (err instanceof ControlError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

/** Copies `file` into the watch folder under a name the folder ignores until the copy is complete. */
async function handOver(file: string, watchDir: string, id: string): Promise<void> {
  if (dirname(file) === watchDir) return; // already there
  const partial = join(watchDir, `.${basename(file)}.${process.pid}.partial`);
  try {
    await copyFile(file, partial);
    await rename(partial, await freeName(watchDir, basename(file), id));
  } catch (err) {
    await rm(partial, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      throw new InputError(
        `cannot write to the watch folder ${watchDir} (${code}): add yourself to the daemon's group with \`sudo usermod -aG hushscribe $USER\` and log in again`,
      );
    throw err;
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
      const watchDir = loaded.config.sources.watch.dir;
      if (!watchDir) throw new InputError('the daemon has no watch folder (sources.watch.dir), which ingest copies recordings into');
      await daemonRequest(loaded, 'ping'); // not running: say so before copying anything
      for (const file of positionals.map((f) => resolve(f))) {
        let id: string;
        try {
          id = await recordingIdForFile(file);
        } catch (err) {
          throw new InputError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
        let recording = await lookup(loaded, id);
        const created = recording === null;
        if (created) await handOver(file, watchDir, id);
        while (!values['no-wait'] && (recording === null || recording.status === 'queued' || recording.status === 'processing')) {
          if (showBar && recording) io.stderr.write(bar(recording));
          await sleep(250);
          recording = await lookup(loaded, id);
        }
        if (showBar && recording) io.stderr.write(`${bar(recording)}\n`);
        if (recording?.status === 'failed') worst = ExitCode.inputError;
        if (json) io.stdout.write(`${JSON.stringify({ file, id, created, recording })}\n`);
        else {
          const what = !recording
            ? 'handed to the watch folder'
            : recording.status === 'failed'
              ? `failed [${recording.errorCode}] ${recording.errorMessage}`
              : recording.status === 'done'
                ? `done, ${recording.segmentCount} segments, ${recording.durationSec?.toFixed(1)} s`
                : recording.status;
          io.stdout.write(`${file}: ${what} (id ${id}${created ? '' : ', seen before'})\n`);
        }
      }
      return worst;
    } catch (err) {
      return reportError(err, io, 'ingest', json);
    }
  },
};
