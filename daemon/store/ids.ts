/** Stable recording ids: the same file always maps to the same id, so a file is transcribed once however often it is seen. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { identityOf, sameIdentity, type FileIdentity } from '../sources/file-identity.js';

const ID_HEX = 24;

/** 'f' + sha256 of the file's bytes (streamed, so large files cost no memory). */
export async function recordingIdForFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `f${hash.digest('hex').slice(0, ID_HEX)}`;
}

/**
 * The id of an open file (as recordingIdForFile) and its identity, read through the descriptor so the hash is of
 * that very file; null when the file changed while it was read (still being written).
 */
export async function recordingIdForHandle(handle: FileHandle): Promise<{ id: string; identity: FileIdentity } | null> {
  const before = identityOf(await handle.stat());
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  for (let position = 0; ; ) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  const after = identityOf(await handle.stat());
  return sameIdentity(before, after) ? { id: `f${hash.digest('hex').slice(0, ID_HEX)}`, identity: after } : null;
}

/** 's' + sha256 of the source name and its start time, for live sources (microphone, command). */
export function recordingIdForStream(source: string, startedAtMs: number): string {
  return `s${createHash('sha256').update(`${source}\0${startedAtMs}`).digest('hex').slice(0, ID_HEX)}`;
}

/** 'x' + sha256 of the path, for an inbox entry that is not a file (a FIFO, a folder named *.wav): it has no content to hash. */
export function recordingIdForSkipped(path: string): string {
  return `x${createHash('sha256').update(`skipped\0${path}`).digest('hex').slice(0, ID_HEX)}`;
}
