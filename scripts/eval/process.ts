/** Child processes and bounded parallelism for the evaluations. */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';

export class EvalToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalToolError';
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a program to completion; a non-zero exit or a missing program is an EvalToolError naming the command. */
export function runProgram(program: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { maxBuffer: 64 * 1024 * 1024, env: env ?? process.env }, (err, stdout, stderr) => {
      if (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `failed: ${stderr.trim().slice(-800) || err.message}`;
        reject(new EvalToolError(`${program} ${why}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

/** True when `program` runs (looked up on PATH). */
export async function hasProgram(program: string): Promise<boolean> {
  try {
    await runProgram('sh', ['-c', 'command -v "$0"', program]);
    return true;
  } catch {
    return false;
  }
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export const CORES = availableParallelism();
