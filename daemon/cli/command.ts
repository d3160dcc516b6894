/** The contract every CLI command implements; the router in main.ts knows nothing else about commands. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export interface Command {
  /** First word after `hushscribe`. */
  name: string;
  /** One line for `hushscribe --help`. */
  summary: string;
  /** Full text for `hushscribe <name> --help`. */
  usage: string;
  /** Returns the process exit code (see ExitCode). */
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** Documented exit codes (README, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  inputError: 3,
  unavailable: 4,
} as const;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
