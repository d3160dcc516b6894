/**
 * The redacted-audio stage (redaction.audio, off by default): the recording with every personal-data span
 * replaced by a tone or silence, written beside the database. Input: the 16 kHz samples as they are decoded
 * and the mask spans of its redacted segments; output: `<dir>/<recording id>.<wav|opus>`, renamed from a temp
 * file so a killed process never leaves a half-written file under the final name.
 */
export { applyMask, maskRanges, REDACTED_AUDIO_MODES, spansToMask, TONE_AMPLITUDE, TONE_HZ, type RedactedAudioMode, type TimeSpan } from './mask.js';
export {
  openRedactedAudioWriter,
  REDACTED_AUDIO_FORMATS,
  RedactedAudioError,
  RedactedAudioWriter,
  StreamingRedactedAudio,
  TEMP_SUFFIX,
  type RedactedAudioFormat,
  type RedactedAudioOptions,
} from './writer.js';
