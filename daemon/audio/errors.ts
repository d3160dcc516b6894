/** Why an audio input could not be read. One class, so callers switch on `code` instead of parsing messages. */
export type AudioInputErrorCode =
  | 'FFMPEG_MISSING'
  | 'EMPTY_FILE'
  | 'TRUNCATED'
  | 'NOT_AUDIO'
  | 'UNSUPPORTED_WAV'
  /** PCM or float samples of a bit depth no decoder reads right (a 7-bit WAV would decode at twice its length). */
  | 'UNSUPPORTED_ENCODING'
  | 'NOT_FOUND'
  | 'DECODE_FAILED';

export interface AudioInputErrorDetails {
  /** The last lines ffmpeg/ffprobe wrote to stderr: diagnostics only, never file contents. */
  stderrTail?: string;
  cause?: unknown;
}

export class AudioInputError extends Error {
  override name = 'AudioInputError';
  readonly code: AudioInputErrorCode;
  /** The input file the error is about. */
  readonly file: string;
  readonly stderrTail: string | undefined;

  constructor(code: AudioInputErrorCode, file: string, reason: string, details: AudioInputErrorDetails = {}) {
    const tail = details.stderrTail?.trim();
    super(`${file}: ${reason}${tail ? `\nffmpeg said:\n${tail}` : ''}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = file;
    this.stderrTail = tail || undefined;
  }
}

export function isAudioInputError(err: unknown, code?: AudioInputErrorCode): err is AudioInputError {
  return err instanceof AudioInputError && (code === undefined || err.code === code);
}
