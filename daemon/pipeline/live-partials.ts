/**
 * Partial results and endpointing for one live session. After every live.partialIntervalMs of new audio in the
 * open segment, the whole open segment is re-decoded (chosen over a sliding window by `npm run bench -- live`)
 * and redacted recall-first. Partials are dropped, never audio or finals, while the worker is behind real time
 * (more than one interval of audio heard but not yet read). The same decode gives the endpoint evidence: once the
 * VAD has heard live.endpoint.minSilenceMs of silence, a decode whose last word ended trailingBlankMs or more
 * before the end of the audio ends the segment at once instead of waiting for vad.minSilenceMs.
 */
import type { HushscribeConfig } from '../config/schema.js';
import type { Segmenter, SpeechSegment } from '../vad/index.js';
import type { FromLiveWorker } from './messages.js';
import type { StageSet } from './stages.js';
import { decodePartial, type SegmentTranscriber } from './transcribe.js';

/** Partials dropped since the worker started, over all sessions. */
let partialsDropped = 0;

export function droppedPartials(): number {
  return partialsDropped;
}

export class LivePartials {
  private counter = 0;
  private decodedUpTo = 0;
  private checkedSilence = false;
  /** Wall clock and audio time of the first update: how far behind real time the worker is, from there on. */
  private startedAt = 0;
  private startedAtAudio = -1;

  constructor(
    private readonly config: HushscribeConfig['live'],
    private readonly stages: StageSet,
    private readonly segmenter: Segmenter,
    private readonly transcriber: SegmentTranscriber,
    private readonly post: (msg: Extract<FromLiveWorker, { type: 'partial' }>) => void,
  ) {}

  /** Call after each pushed chunk; returns a segment when the endpoint rule ended one. */
  async update(heardSec: number): Promise<SpeechSegment | null> {
    const { partials, partialIntervalMs, endpoint } = this.config;
    if (this.startedAtAudio < 0) [this.startedAt, this.startedAtAudio] = [Date.now(), heardSec];
    const open = this.segmenter.openSpeech();
    if (!open) {
      this.counter = 0;
      this.decodedUpTo = 0;
      this.checkedSilence = false;
      return null;
    }
    const silence = this.segmenter.silenceSec;
    if (silence === 0) this.checkedSilence = false;
    const endpointDue = endpoint.enabled && !this.checkedSilence && silence * 1000 >= endpoint.minSilenceMs;
    const partialDue = partials && (open.end - Math.max(open.start, this.decodedUpTo)) * 1000 >= partialIntervalMs;
    if (!endpointDue && !partialDue) return null;
    const behindSec = (Date.now() - this.startedAt) / 1000 - (heardSec - this.startedAtAudio);
    this.decodedUpTo = open.end;
    if (!endpointDue && behindSec > partialIntervalMs / 1000) {
      partialsDropped++;
      return null;
    }
    if (endpointDue) this.checkedSilence = true;
    const partial = await decodePartial(this.stages, this.transcriber, open);
    if (endpointDue && partial.trailingBlankSec * 1000 >= endpoint.trailingBlankMs) return this.segmenter.endNow();
    if (partials && partial.text !== '') {
      this.post({ type: 'partial', seq: this.transcriber.count, counter: this.counter++, start: open.start, end: open.end, text: partial.text, partialsDropped });
    }
    return null;
  }
}
