/** `hushscribe transcripts list|show|search|export`: reads redacted transcripts straight from the database. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, openStoreReadonly, reportError } from '../../control/cli-support.js';
import { RECORDING_STATUSES, StoreError, type Recording, type RecordingStatus, type StoredSegment, type Store } from '../../store/store.js';

const FORMATS = ['jsonl', 'csv', 'srt', 'vtt'] as const;
type Format = (typeof FORMATS)[number];

const usage = `Usage: hushscribe transcripts <list|show|search|export> [options]

  list [--status S] [--limit N]          recordings, newest first
                                         (--json: one line per recording: id, fileName, status, segments, ...)
  show ID                                one recording's redacted segments with times (and its redacted audio file)
  search WORDS... [--limit N]            full-text search over redacted text
  export [ID...] --format F [--output FILE]
                                         F: jsonl (one segment per line), csv, srt, vtt (srt/vtt: one ID)
                                         without IDs: every finished recording

Transcripts are stored redacted; nothing here can show what was removed.
Works whether or not the daemon is running.

Options:
  --status S       ${RECORDING_STATUSES.join(' | ')}
  --limit N        at most N rows
${COMMON_USAGE}

Exit codes: 0 ok, 2 usage, 3 unknown recording or bad search, 4 no database.`;

const clock = (sec: number, sep: string) => {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${sep}${String(ms % 1000).padStart(3, '0')}`;
};

const csvField = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

function listLine(r: Recording): Record<string, unknown> {
  return {
    id: r.id,
    fileName: r.fileName,
    source: r.source,
    status: r.status,
    segments: r.segmentCount,
    durationSec: r.durationSec,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
  };
}

export function exportText(format: Format, rows: { recording: Recording; segments: StoredSegment[] }[]): string {
  const all = rows.flatMap(({ recording, segments }) => segments.map((s) => ({ recording, s })));
  switch (format) {
    case 'jsonl':
      return all
        .map(
          ({ recording, s }) =>
            `${JSON.stringify({ recordingId: recording.id, fileName: recording.fileName, seq: s.seq, start: s.start, end: s.end, text: s.text, words: s.words, entities: s.entities, model: s.model, variant: s.variant })}\n`,
        )
        .join('');
    case 'csv':
      return [
        'recording_id,file_name,seq,start,end,text\n',
        ...all.map(({ recording, s }) => `${[recording.id, recording.fileName, s.seq, s.start, s.end, s.text].map(csvField).join(',')}\n`),
      ].join('');
    case 'srt':
      return all.map(({ s }, i) => `${i + 1}\n${clock(s.start, ',')} --> ${clock(s.end, ',')}\n${s.text}\n\n`).join('');
    case 'vtt':
      return `WEBVTT\n\n${all.map(({ s }) => `${clock(s.start, '.')} --> ${clock(s.end, '.')}\n${s.text}\n\n`).join('')}`;
  }
}

function recordingOrThrow(store: Store, id: string): Recording {
  const recording = store.get(id);
  if (!recording) throw new StoreError('NOT_FOUND', `no recording ${id}`);
  return recording;
}

export const transcriptsCommand: Command = {
  name: 'transcripts',
  summary: 'List, show, search and export redacted transcripts',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, status: { type: 'string' }, limit: { type: 'string' }, format: { type: 'string' }, output: { type: 'string' } },
      allowPositionals: true,
    });
    const [action, ...rest] = positionals;
    const json = values.json ?? false;
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit must be a positive integer (got ${values.limit})`);
    if (values.status !== undefined && !(RECORDING_STATUSES as readonly string[]).includes(values.status)) {
      throw new UsageError(`--status must be one of ${RECORDING_STATUSES.join(', ')} (got ${values.status})`);
    }
    if (!action || !['list', 'show', 'search', 'export'].includes(action))
      throw new UsageError(action ? `unknown action '${action}'` : 'which action? list, show, search or export');
    let store: Store | null = null;
    try {
      store = openStoreReadonly(cliConfig(values));
      const out = (text: string) => io.stdout.write(text);
      switch (action) {
        case 'list': {
          if (rest.length > 0) throw new UsageError('list takes no arguments');
          const recordings = store.list({ ...(values.status ? { status: values.status as RecordingStatus } : {}), ...(limit ? { limit } : {}) });
          if (json) for (const r of recordings) out(`${JSON.stringify(listLine(r))}\n`);
          else
            for (const r of recordings)
              out(
                `${r.id}  ${r.status.padEnd(10)} ${String(r.segmentCount).padStart(4)} seg  ${r.durationSec === null ? '      -' : `${r.durationSec.toFixed(1).padStart(6)}s`}  ${r.fileName ?? '-'}${r.errorCode ? `  [${r.errorCode}] ${(r.errorMessage ?? '').split('\n')[0]}` : ''}\n`,
              );
          return ExitCode.ok;
        }
        case 'show': {
          if (rest.length !== 1) throw new UsageError('show takes one recording id');
          const recording = recordingOrThrow(store, rest[0]!);
          const segments = store.segments(recording.id);
          if (json) out(`${JSON.stringify({ recording, segments })}\n`);
          else {
            out(
              `${recording.id}  ${recording.fileName ?? '-'}  ${recording.status}${recording.errorCode ? ` [${recording.errorCode}] ${recording.errorMessage}` : ''}\n`,
            );
            if (recording.redactedAudio) out(`redacted audio: ${recording.redactedAudio}\n`);
            for (const s of segments) out(`[${clock(s.start, '.')} - ${clock(s.end, '.')}] ${s.text}\n`);
          }
          return ExitCode.ok;
        }
        case 'search': {
          if (rest.length === 0) throw new UsageError('search needs words to look for');
          const hits = store.search(rest.join(' '), limit ?? 50);
          if (json) for (const h of hits) out(`${JSON.stringify(h)}\n`);
          else for (const h of hits) out(`${h.recordingId} #${h.seq} [${clock(h.start, '.')}] ${h.snippet}\n`);
          return ExitCode.ok;
        }
        default: {
          const format = values.format as Format | undefined;
          if (!format || !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
          if ((format === 'srt' || format === 'vtt') && rest.length !== 1) throw new UsageError(`${format} export needs exactly one recording id`);
          const recordings = rest.length > 0 ? rest.map((id) => recordingOrThrow(store!, id)) : store.list({ status: 'done' }).reverse();
          const text = exportText(
            format,
            recordings.map((recording) => ({ recording, segments: store!.segments(recording.id) })),
          );
          if (values.output) writeFileSync(values.output, text);
          else out(text);
          return ExitCode.ok;
        }
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      return reportError(err, io, 'transcripts', json);
    } finally {
      store?.close();
    }
  },
};
