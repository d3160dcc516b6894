/**
 * Describes an unexpected error without its message: messages can quote the data being processed (JSON.parse
 * quotes its input, onnxruntime and SQLite errors can quote values), and a transcript must never reach a log line
 * or the database. The error's class and where it was thrown are enough to find the bug.
 */
export function describeUnexpectedError(err: unknown): string {
  if (!(err instanceof Error)) return `non-Error value thrown (${typeof err})`;
  // The first stack frame with a source location (skipping native frames such as `JSON.parse (<anonymous>)`).
  const location = err.stack
    ?.split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at ') && !line.includes('node:internal'))
    .map((line) => line.match(/\(?([^()\s]+:\d+:\d+)\)?$/)?.[1])
    .find((found) => found !== undefined);
  const code = (err as NodeJS.ErrnoException).code;
  return `${err.name}${typeof code === 'string' ? ` [${code}]` : ''}${location ? ` at ${location}` : ''}`;
}
