/** Audio input: files in, mono float samples out. */
export { AudioInputError, isAudioInputError, type AudioInputErrorCode } from './errors.js';
export { readWavFile, decodeWav, type AudioClip } from './wav.js';
export { encodeWav16, pcm16WavHeader, toPcm16 } from './wav-writer.js';
export { ASR_SAMPLE_RATE, decodeAudioStream, decodeAudioFile, probeAudio, type AudioProbe, type DecodedAudio, type FfmpegOptions } from './ffmpeg.js';
export { readAudio, type ReadAudioOptions } from './load.js';
export { wavShortfall, type WavShortfall } from './wav-header.js';
export { AudioEncodeError, encodeOpus, startOpusEncoder, type OpusEncoder } from './ffmpeg-encode.js';
export { startCapture, type Capture, type CaptureExit } from './capture.js';
export { probeRecording, streamRecording } from './recording.js';
export { ffmpegToolVersion, type FfmpegTool, type ToolVersion } from './ffmpeg-version.js';
