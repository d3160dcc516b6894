/**
 * Partial results and endpointing for one live session. After every live.partialIntervalMs of new audio in the
 * open segment, the whole open segment is re-decoded (chosen over a sliding window by `npm run bench -- live`)
 * and redacted recall-first. Partials are dropped, never audio or finals, while the worker is behind real time
 * (more than one interval of audio heard but not yet read). The same decode gives the endpoint evidence: once the
 * VAD has heard live.endpoint.minSilenceMs of silence, a decode whose last word ended trailingBlankMs or more
 * before the end of the audio ends the segment at once instead of waiting for vad.minSilenceMs.
 */
import type { Transcript } from '../asr/types.js';
import type { HushscribeConfig } from '../config/schema.js';
import type { Segmenter, SpeechSegment } from '../vad/index.js';
import type { FromLiveWorker } from './messages.js';
import { decodePartial, type SegmentTranscriber } from './transcribe.js';

/** While the VAD hears silence, the endpoint rule asks the recogniser again after this much more audio. */
const ENDPOINT_RECHECK_SEC = 0.1;

/** Partials dropped since the worker started, over all sessions. */
let partialsDropped = 0;

export function droppedPartials(): number {
  return partialsDropped;
}

export class LivePartials {
  private counter = 0;
  private decodedUpTo = 0;
  /** Silence (s) at the last endpoint check of the open segment; -1: not checked since speech. */
  private checkedAtSilence = -1;
  /** Wall clock and audio time of the first update: how far behind real time the worker is, from there on. */
  private startedAt = 0;
  private startedAtAudio = -1;

  constructor(
    private readonly config: HushscribeConfig['live'],
    private readonly segmenter: Segmenter,
    private readonly transcriber: SegmentTranscriber,
    private readonly post: (msg: Extract<FromLiveWorker, { type: 'partial' }>) => void,
  ) {}

  /** Call after each pushed chunk; returns a segment (and its decode, reused as the final) when the endpoint rule ended one. */
  async update(heardSec: number): Promise<{ speech: SpeechSegment; transcript: Transcript } | null> {
    const { partials, partialIntervalMs, endpoint } = this.config;
    if (this.startedAtAudio < 0) [this.startedAt, this.startedAtAudio] = [Date.now(), heardSec];
    const open = this.segmenter.openSpeech();
    if (!open) {
      this.counter = 0;
      this.decodedUpTo = 0;
      this.checkedAtSilence = -1;
      return null;
    }
    const silence = this.segmenter.silenceSec;
    if (silence === 0) this.checkedAtSilence = -1;
    const recheck = this.checkedAtSilence < 0 || silence - this.checkedAtSilence >= ENDPOINT_RECHECK_SEC;
    const endpointDue = endpoint.enabled && recheck && silence * 1000 >= endpoint.minSilenceMs;
    // Once the VAD hears silence no new words come: only the endpoint check decodes, so no partial decode is in
    // progress when the final is due.
    const partialDue = partials && silence === 0 && (open.end - Math.max(open.start, this.decodedUpTo)) * 1000 >= partialIntervalMs;
    if (!endpointDue && !partialDue) return null;
    const behindSec = (Date.now() - this.startedAt) / 1000 - (heardSec - this.startedAtAudio);
    this.decodedUpTo = open.end;
    if (!endpointDue && behindSec > partialIntervalMs / 1000) {
      partialsDropped++;
      return null;
    }
    if (endpointDue) this.checkedAtSilence = silence;
    const partial = await decodePartial(this.transcriber, open);
    if (endpointDue && partial.trailingBlankSec * 1000 >= endpoint.trailingBlankMs) {
      const speech = this.segmenter.endNow();
      // The decode covered the open segment from the same start: its words are the final's.
      return speech ? { speech, transcript: partial.transcript } : null;
    }
    if (partials && partial.text !== '') {
      this.post({
        type: 'partial',
        seq: this.transcriber.count,
        counter: this.counter++,
        start: open.start,
        end: open.end,
        text: partial.text,
        partialsDropped,
      });
    }
    return null;
  }
}
