/**
 * Partial results and endpointing for one live session. After every live.partialIntervalMs of new audio in the
 * open segment, the whole open segment is re-decoded (chosen over a sliding window by `npm run bench -- live`)
 * and redacted recall-first. A partial is decoded beside the capture, not in its way: the worker goes on reading
 * audio and running the VAD (and the endpoint's decode ahead) while it is decoded, one partial at a time; one that
 * comes back after its segment ended is not posted. Partials are dropped, never audio or finals, while the worker
 * is behind real time (more than one interval of audio heard but not yet read).
 *
 * Endpointing: once the VAD has heard live.endpoint.decodeAheadMs of silence, the audio heard so far is decoded
 * (with left context) while the rules below wait for more silence: that decode is the final's, whichever rule ends
 * the segment, so no decode is left to do when the segment ends; it is made again once vad.speechPadMs of silence
 * is heard if its last word ran to the end of its audio. The segment ends when the VAD has heard
 * live.endpoint.minSilenceMs of silence, or sinceLastWordMs has passed since the decode's last word (where the VAD
 * hears the silence late), and that word ended trailingBlankMs or more before the end of the decode's audio (a word
 * the VAD cut would go on into the padding); else at vad.minSilenceMs, which is also the only
 * rule for a decode ending in what may be half an entity (a number run, a name), so one entity is not cut in two.
 *
 * The opt-in fast rule (live.endpoint.fast) ends it after fast.minSilenceMs when the LM gives the decode's last
 * words a high end-of-sentence probability. At the 160 ms default it changes nothing (140 ms is the same five VAD
 * frames); it matters only with a longer live.endpoint.minSilenceMs (README).
 */
import type { Transcript } from '../asr/types.js';
import type { HushscribeConfig } from '../config/schema.js';
import type { Segmenter, SpeechSegment } from '../vad/index.js';
import type { FromLiveWorker } from './messages.js';
import { decodePartial, trailingBlankSec, type SegmentTranscriber } from './transcribe.js';

/** Partials dropped since the worker started, over all sessions. */
let partialsDropped = 0;

export function droppedPartials(): number {
  return partialsDropped;
}

/** A decode of a segment's closing audio; `decodeMs`, what it took (the final's decode time). */
export interface ClosingDecode {
  start: number;
  end: number;
  /** Made once the VAD had heard vad.speechPadMs of silence: the segment's audio was all heard, padding too. */
  complete: boolean;
  transcript: Transcript;
  trailingBlankSec: number;
  /** It ends in what may be the first half of an entity (a number run, a name): only the VAD's longer rule ends it then. */
  unfinished: boolean;
  /** ln p(end of sentence | the decode's last words) under the LM (-Infinity without one): the fast rule's evidence. */
  endOfSentenceLogProb: number;
  decodeMs: number;
}

export class LivePartials {
  private counter = 0;
  private decodedUpTo = 0;
  /** The decode of the open segment's closing audio, once the VAD has heard speechPadMs of silence. */
  private closing: ClosingDecode | null = null;
  /** Wall clock and audio time of the first update: how far behind real time the worker is, from there on. */
  private startedAt = 0;
  private startedAtAudio = -1;
  /** The partial being decoded, if any. */
  private inFlight: Promise<void> | null = null;
  /** Why a partial's decode failed: thrown by the next update() or settle(), as a decode in the loop would have been. */
  private failure: unknown = null;

  constructor(
    private readonly config: HushscribeConfig['live'],
    private readonly speechPadMs: number,
    private readonly segmenter: Segmenter,
    private readonly transcriber: SegmentTranscriber,
    private readonly post: (msg: Extract<FromLiveWorker, { type: 'partial' }>) => void,
  ) {}

  /**
   * The closing decode of `speech` (so it is not decoded twice): one of the same speech in the same silence, whose
   * audio may lack only some of the trailing padding (VAD silence, heard after the decode began).
   */
  decodedFor(speech: SpeechSegment): ClosingDecode | undefined {
    const c = this.closing;
    return c && c.start === speech.start && c.end <= speech.end && speech.end - c.end <= this.speechPadMs / 1000 + 1e-6 ? c : undefined;
  }

  /** Call after each pushed chunk; returns a segment (and its decode, reused as the final) when the endpoint rule ended one. */
  async update(heardSec: number): Promise<{ speech: SpeechSegment; decoded: ClosingDecode; fast: boolean } | null> {
    const { partials, partialIntervalMs, endpoint } = this.config;
    this.throwFailure();
    if (this.startedAtAudio < 0) [this.startedAt, this.startedAtAudio] = [Date.now(), heardSec];
    const open = this.segmenter.openSpeech();
    if (!open) {
      this.counter = 0;
      this.decodedUpTo = 0;
      this.closing = null;
      return null;
    }
    const silence = this.segmenter.silenceSec;
    if (silence > 0) {
      const decodeAheadMs = Math.min(endpoint.decodeAheadMs, this.speechPadMs);
      return endpoint.enabled && silence * 1000 >= decodeAheadMs ? this.close(silence) : null;
    }
    this.closing = null; // speech goes on (or came back)
    if (!partials || (open.end - Math.max(open.start, this.decodedUpTo)) * 1000 < partialIntervalMs) return null;
    if (this.inFlight) return null; // the next one starts once it is done, from the audio heard then
    this.decodedUpTo = open.end;
    const behindSec = (Date.now() - this.startedAt) / 1000 - (heardSec - this.startedAtAudio);
    if (behindSec > partialIntervalMs / 1000) {
      partialsDropped++;
      return null;
    }
    this.inFlight = this.decodeAndPost(open)
      .catch((err: unknown) => {
        this.failure = err;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return null;
  }

  /** Resolves once no partial is being decoded (before the session ends or the recognizer closes). */
  async settle(): Promise<void> {
    await this.inFlight;
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure === null) return;
    const err = this.failure;
    this.failure = null;
    throw err;
  }

  private async decodeAndPost(open: SpeechSegment): Promise<void> {
    const partial = await decodePartial(this.transcriber, open);
    // The segmenter lets go of a segment before its final is posted: a partial of it now would come after the final.
    if (partial.text === '' || this.segmenter.openSpeech()?.start !== open.start) return;
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

  /**
   * In silence of decodeAheadMs: decodes the closing audio, so the decode is done by the time the
   * rule below holds; again once speechPadMs of silence is heard if the first decode's last word ran to the end of
   * its audio (a word the VAD heard as silence goes on); ends the segment when the endpoint rule holds.
   */
  private async close(silence: number): Promise<{ speech: SpeechSegment; decoded: ClosingDecode; fast: boolean } | null> {
    const speech = this.segmenter.closingSpeech();
    if (!speech) return null;
    const { endpoint } = this.config;
    const complete = silence * 1000 >= this.speechPadMs;
    const earlier = this.decodedFor(speech);
    if (!earlier || (complete && !earlier.complete && earlier.trailingBlankSec * 1000 < endpoint.trailingBlankMs)) {
      const t0 = performance.now();
      const transcript = await this.transcriber.decode(speech);
      const decodeMs = performance.now() - t0;
      this.closing = {
        start: speech.start,
        end: speech.end,
        complete,
        transcript,
        trailingBlankSec: trailingBlankSec(transcript, speech),
        unfinished: this.transcriber.endsUnfinished(transcript.text),
        endOfSentenceLogProb: endpoint.fast.enabled ? this.transcriber.endOfSentenceLogProb(transcript.text) : -Infinity,
        decodeMs,
      };
    }
    const { fast } = endpoint;
    const decoded = this.closing!;
    if (decoded.unfinished) return null; // vad.minSilenceMs ends it, as before the shorter endpoint
    // Time heard since the decode's last word: the end of speech as the recogniser places it.
    const sinceLastWordMs = (this.segmenter.processedSec - (decoded.end - decoded.trailingBlankSec)) * 1000;
    const heardEnough = silence * 1000 >= endpoint.minSilenceMs || (endpoint.sinceLastWordMs > 0 && sinceLastWordMs >= endpoint.sinceLastWordMs);
    const normal = heardEnough && decoded.trailingBlankSec * 1000 >= endpoint.trailingBlankMs;
    const early =
      fast.enabled &&
      silence * 1000 >= fast.minSilenceMs &&
      decoded.endOfSentenceLogProb >= fast.minEndOfSentenceLogProb &&
      decoded.trailingBlankSec * 1000 >= fast.trailingBlankMs;
    if (!normal && !early) return null;
    const ended = this.segmenter.endNow();
    return ended ? { speech: ended, decoded, fast: !normal } : null;
  }
}
