/** `hushscribe transcribe FILE...`: recordings in, one transcript per file out (plain or JSON lines). */
import { basename, dirname, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import {
  HotwordFileError,
  isModelLoadError,
  loadRecognizer,
  readHotwords,
  type DecodingOptions,
  type Hotword,
  type RecognizedSegment,
  type Recognizer,
  type Transcript,
} from '../../asr/index.js';
import { alignedText, buildRedactedSegment } from '../../redaction/segment.js';
import { SessionRedactor, type SessionOptions } from '../../../redaction/session.js';
import { PiiTagger } from '../../../redaction/tagger.js';
import type { RedactionResult } from '../../../redaction/types.js';
import { parseDetectors } from './detectors.js';
import type { RedactionPolicyConfig } from '../../../redaction/policy.js';
import { readAudio } from '../../audio/index.js';
import { packageRoot } from '../../../common/package-root.js';
import {
  REDACTED_AUDIO_MODES,
  RedactedAudioWriter,
  spansToMask,
  type RedactedAudioFormat,
  type RedactedAudioMode,
  type TimeSpan,
} from '../../redacted-audio/index.js';
import { recognizeSegmented } from '../../pipeline/transcribe.js';
import { redactionPolicy } from '../../redaction/redactor.js';
import { loadSileroVad } from '../../vad/index.js';
import { ConfigError, loadConfig } from '../../config/load.js';
import type { HushscribeConfig } from '../../config/schema.js';
import { PolicyError, validatePolicy } from '../../../redaction/policy.js';

export const DEFAULT_MODEL = join('models', 'hushscribe-en-v1');

const usage = `Usage: hushscribe transcribe FILE... [options]

Transcribes recordings in any format ffmpeg reads and prints them with personal data redacted. The same stages
and policy as the daemon under the same config: the config's VAD cuts the recording into speech segments, and the
config's redaction policy (types, operators, hash key, longNumbers, tagger) redacts them with context carried
from segment to segment, so a file gives the daemon's redaction. Without a config file every entity type becomes
a placeholder such as [PERSON]. The model is loaded once.

Options:
  --json              one JSON object per line per file: {"file","durationSec","text","segments":[{"start","end",
                      "text","words":[{"word","start","end","confidence"}]}],"model":{"name","variant"},
                      "redaction","timingsMs":{"decode","features","model","search","total"}}; a file that fails
                      gives {"file","error","code"}
  --no-redact         print the raw transcript, personal data included (the JSON output records
                      "redaction":"off" instead of "applied")
  --config PATH       config file whose vad, asr.modelDir and redaction sections apply (default
                      /etc/hushscribe/config.yaml if present, as for the daemon)
  --no-vad            decode each file whole (in pieces of at most 20 s, cut at the quietest moment) instead of
                      by the config's VAD segments; redaction may then differ from the daemon's
  --detectors LIST    PII detectors: rules, tagger or rules,tagger (default: rules, and the tagger unless the
                      config's redaction.tagger.enabled is false; the tagger is models/hushscribe-pii-tagger-v1)
  --model DIR         model directory (default: ${DEFAULT_MODEL} in the package); a hushscribe, sherpa-onnx
                      zipformer2_ctc or NeMo CTC directory
  --variant NAME      model variant (default: the manifest's defaultVariant)
  --threads N         onnxruntime intra-op threads (default 1)
  --redacted-audio OUT  also write the recording (one FILE only) with every redacted span replaced by a tone or
                      silence: OUT.wav (16-bit 16 kHz mono) or OUT.opus (Ogg Opus, via ffmpeg)
  --audio-mode M      tone (1 kHz at -20 dBFS, default) or silence
  --audio-pad-ms N    widen each span by N ms on both sides (default 80: word times are approximate)
  --beam N            prefix beam search with N beams (default: greedy, or beam 8 when an LM is used)
  --lm PATH           word n-gram LM (binary or ARPA) for beam search (default: the model's own LM, if it has one);
                      a file that cannot be loaded is reported and decoding falls back to greedy
  --hotwords FILE     phrases to favour in beam search, one a line (\`boost=N\` and \`pii\` after a phrase; pii
                      phrases are always redacted)
  --no-lm             use no LM
  --lm-weight W       LM weight (default 0.5)
  --word-bonus B      score added per word when an LM is used (default 0)
  -h, --help          show this help

Exit codes: 0 all files transcribed; 3 a file could not be read (the other files are still transcribed);
4 the model is not installed; 2 wrong options or an invalid config.
`;

/**
 * REDACTION HOOK. A redactor gets each file's transcript (raw, RAM only) before anything is printed and returns what
 * may be shown. `transcribeCommand` plugs in redactTranscript (the redaction/ recognisers, default policy: every
 * entity type replaced by a placeholder); `--no-redact` skips the hook and the JSON output records it.
 */
export type TranscriptRedactor = (
  transcript: Transcript,
  maskSpans: TimeSpan[],
  options: { policy: RedactionPolicyConfig; detectors: SessionOptions },
) => Promise<Transcript>;

/**
 * Redacts a transcript segment by segment with one SessionRedactor, one segment late as the daemon redacts a
 * recording (SegmentTranscriber's look-ahead): each segment with the words before it and the next segment's first
 * words as context, so personal data split by a pause is still caught in both halves; words inside an entity
 * become the entity's placeholder (as the daemon stores them). Dropped segments (policy 'drop') are left out. The
 * audio spans to mask for redacted audio are added to `maskSpans`.
 */
export async function redactTranscript(
  transcript: Transcript,
  policy: RedactionPolicyConfig = {},
  maskSpans: TimeSpan[] = [],
  detectors: SessionOptions = {},
): Promise<Transcript> {
  const session = new SessionRedactor(policy, detectors);
  const segments: RecognizedSegment[] = [];
  const aligned = transcript.segments.map((segment) => ({ segment, ...alignedText(segment) }));
  const results: RedactionResult[] = [];
  for (const { text } of aligned) {
    const result = await session.push(text);
    if (result) results.push(result);
  }
  const last = await session.flush();
  if (last) results.push(last);
  for (const [seq, { segment, ranges }] of aligned.entries()) {
    const result = results[seq]!;
    const redacted = buildRedactedSegment(segment, ranges, result, { seq, offsetSec: 0, model: '', variant: '' });
    maskSpans.push(...spansToMask(segment, redacted, result.dropped, 0));
    if (!redacted) continue;
    const words = redacted.words.map(({ word, start, end, confidence }) => ({ word, start, end, confidence }));
    segments.push({ start: redacted.start, end: redacted.end, text: redacted.redactedText, words });
  }
  session.end();
  return { text: segments.map((s) => s.text).join(' '), durationSec: transcript.durationSec, segments };
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer (got '${value}')`);
  return n;
}

function finiteNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${value}')`);
  return n;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

const AUDIO_FORMATS: Record<string, RedactedAudioFormat> = { '.wav': 'wav', '.opus': 'opus' };

/** --redacted-audio OUT: checked before the model loads, so a wrong option costs nothing. */
function redactedAudioTarget(
  values: { 'redacted-audio'?: string; 'audio-mode'?: string; 'audio-pad-ms'?: string; 'no-redact'?: boolean },
  fileCount: number,
): { writer: RedactedAudioWriter; name: string } | null {
  const out = values['redacted-audio'];
  if (out === undefined) {
    if (values['audio-mode'] !== undefined || values['audio-pad-ms'] !== undefined)
      throw new UsageError('--audio-mode and --audio-pad-ms need --redacted-audio');
    return null;
  }
  if (fileCount !== 1) throw new UsageError(`--redacted-audio takes exactly one input FILE (got ${fileCount})`);
  if (values['no-redact']) throw new UsageError('--redacted-audio and --no-redact cannot be combined');
  const format = AUDIO_FORMATS[extname(out).toLowerCase()];
  if (!format) throw new UsageError(`--redacted-audio must end in .wav or .opus (got '${out}')`);
  const mode = (values['audio-mode'] ?? 'tone') as RedactedAudioMode;
  if (!REDACTED_AUDIO_MODES.includes(mode)) throw new UsageError(`--audio-mode must be tone or silence (got '${values['audio-mode']}')`);
  const pad = values['audio-pad-ms'] ?? '80';
  if (!/^\d+$/.test(pad) || Number(pad) > 2000) throw new UsageError(`--audio-pad-ms must be an integer from 0 to 2000 (got '${pad}')`);
  const writer = new RedactedAudioWriter(dirname(out), { mode, padMs: Number(pad), format });
  return { writer, name: basename(out, extname(out)) };
}

export function createTranscribeCommand(redactor: TranscriptRedactor): Command {
  return {
    name: 'transcribe',
    summary: 'Transcribe recordings (any format ffmpeg reads) to text or JSON',
    usage,
    async run(argv: string[], io: CommandIo): Promise<number> {
      const { values, positionals: files } = parseArgs({
        args: argv,
        options: {
          json: { type: 'boolean', default: false },
          'no-redact': { type: 'boolean', default: false },
          model: { type: 'string' },
          variant: { type: 'string' },
          threads: { type: 'string' },
          beam: { type: 'string' },
          lm: { type: 'string' },
          hotwords: { type: 'string' },
          'no-lm': { type: 'boolean', default: false },
          'lm-weight': { type: 'string' },
          'word-bonus': { type: 'string' },
          'redacted-audio': { type: 'string' },
          'audio-mode': { type: 'string' },
          'audio-pad-ms': { type: 'string' },
          detectors: { type: 'string' },
          config: { type: 'string' },
          'no-vad': { type: 'boolean', default: false },
        },
        allowPositionals: true,
      });
      if (files.length === 0) throw new UsageError('no input files');
      if (values.lm !== undefined && values['no-lm']) throw new UsageError('--lm and --no-lm cannot be combined');
      const threads = positiveInt('threads', values.threads);
      const beamSize = positiveInt('beam', values.beam);
      const lmWeight = finiteNumber('lm-weight', values['lm-weight']);
      const wordBonus = finiteNumber('word-bonus', values['word-bonus']);
      let hotwords: Hotword[] = [];
      try {
        hotwords = values.hotwords !== undefined ? readHotwords(values.hotwords) : [];
      } catch (err) {
        if (!(err instanceof HotwordFileError)) throw err;
        io.stderr.write(`hushscribe transcribe: ${err.message}\n`);
        return ExitCode.inputError;
      }
      const knownPii = hotwords.filter((h) => h.pii).map((h) => ({ phrase: h.phrase }));
      const decoding: DecodingOptions = {
        ...(hotwords.length > 0 ? { hotwords } : {}),
        ...(beamSize !== undefined ? { beamSize } : {}),
        ...(values['no-lm'] ? { lm: null } : values.lm !== undefined ? { lm: values.lm } : {}),
        ...(lmWeight !== undefined ? { lmWeight } : {}),
        ...(wordBonus !== undefined ? { wordBonus } : {}),
      };
      const audioOut = redactedAudioTarget(values, files.length);
      let config: HushscribeConfig;
      let policy: RedactionPolicyConfig;
      try {
        config = loadConfig({ path: values.config }).config;
        policy = redactionPolicy(config.redaction);
        validatePolicy(policy);
      } catch (err) {
        // A bad config file or policy, or an unreadable hash key file: a clear message before any model loads.
        if (err instanceof ConfigError || err instanceof PolicyError || typeof (err as NodeJS.ErrnoException).code === 'string')
          throw new UsageError(`invalid config: ${(err as Error).message}`);
        throw err;
      }
      const detectors = values.detectors === undefined ? { rules: true, tagger: config.redaction.tagger.enabled } : parseDetectors(values.detectors);
      const modelDir = values.model ?? config.asr.modelDir ?? join(packageRoot(), DEFAULT_MODEL);

      let recognizer: Recognizer;
      try {
        recognizer = await loadRecognizer({ modelDir, decoding, ...(threads ? { threads } : {}), ...(values.variant ? { variant: values.variant } : {}) });
      } catch (err) {
        if (!isModelLoadError(err)) throw err;
        const hint = err.code === 'MODEL_NOT_FOUND' && values.model === undefined ? ' (install the model there, or pass --model DIR)' : '';
        io.stderr.write(`hushscribe transcribe: cannot load the model: ${err.message}${hint}\n`);
        if (err.code === 'BAD_OPTION') return ExitCode.usage;
        return err.code === 'MODEL_NOT_FOUND' ? ExitCode.unavailable : ExitCode.failure;
      }
      if (recognizer.decoding?.lmError)
        io.stderr.write(`hushscribe transcribe: warning: language model not loaded, decoding greedily: ${recognizer.decoding.lmError}\n`);

      const redaction = values['no-redact'] ? 'off' : 'applied';
      let exitCode: number = ExitCode.ok;
      let tagger: PiiTagger | null = null;
      try {
        const taggerDir = config.redaction.tagger.modelDir;
        if (redaction === 'applied' && detectors.tagger) tagger = await (taggerDir ? PiiTagger.load(taggerDir) : PiiTagger.load());
        const vad = config.vad.enabled && !values['no-vad'] ? await loadSileroVad() : null;
        for (const file of files) {
          const started = performance.now();
          try {
            const audio = await readAudio(file);
            const decoded = performance.now();
            const segmented = vad ? await recognizeSegmented({ recognizer, vad, leftContext: config.asr.leftContext }, config.vad, audio.samples) : null;
            const raw = segmented ? segmented.transcript : await recognizer.transcribe(audio.samples);
            const maskSpans: TimeSpan[] = [];
            const shown = redaction === 'applied' ? await redactor(raw, maskSpans, { policy, detectors: { tagger, rules: detectors.rules, knownPii } }) : raw;
            if (audioOut) await audioOut.writer.write(audioOut.name, audio.samples, maskSpans);
            const total = performance.now() - started;
            if (!values.json) {
              io.stdout.write(`${file}: ${shown.text}\n`);
              continue;
            }
            const t = segmented?.timings ?? recognizer.lastTimings ?? { features: 0, model: 0, search: 0 };
            io.stdout.write(
              `${JSON.stringify({
                file,
                durationSec: round3(shown.durationSec),
                text: shown.text,
                segments: shown.segments,
                model: recognizer.model,
                redaction,
                timingsMs: {
                  decode: round3(decoded - started),
                  features: round3(t.features),
                  model: round3(t.model),
                  search: round3(t.search),
                  total: round3(total),
                },
              })}\n`,
            );
          } catch (err) {
            exitCode = ExitCode.inputError;
            const message = (err as Error)?.message ?? String(err);
            const code = (err as { code?: unknown })?.code;
            if (values.json) io.stdout.write(`${JSON.stringify({ file, error: message, ...(typeof code === 'string' ? { code } : {}) })}\n`);
            io.stderr.write(`hushscribe transcribe: ${message.startsWith(file) ? '' : `${file}: `}${message}\n`);
          }
        }
      } finally {
        await recognizer.close();
        await tagger?.close();
      }
      return exitCode;
    },
  };
}

export const transcribeCommand: Command = createTranscribeCommand((transcript, maskSpans, { policy, detectors }) =>
  redactTranscript(transcript, policy, maskSpans, detectors),
);
