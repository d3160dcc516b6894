/** Why a model directory could not be loaded. One class, so callers switch on `code` instead of parsing messages. */
export type ModelLoadErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'BAD_MANIFEST'
  | 'UNKNOWN_LAYOUT'
  | 'WRONG_IO'
  | 'TOKENS_MISMATCH'
  | 'BAD_TOKENS'
  | 'CHECKSUM_MISMATCH'
  | 'BAD_LM'
  | 'BAD_OPTION';

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  readonly code: ModelLoadErrorCode;
  /** The file or directory the error is about. */
  readonly path: string;

  constructor(code: ModelLoadErrorCode, path: string, reason: string, cause?: unknown) {
    super(`${path}: ${reason}`, cause === undefined ? undefined : { cause });
    this.code = code;
    this.path = path;
  }
}

export function isModelLoadError(err: unknown, code?: ModelLoadErrorCode): err is ModelLoadError {
  return err instanceof ModelLoadError && (code === undefined || err.code === code);
}
