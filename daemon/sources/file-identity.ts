/**
 * A watch-folder file's identity: device, inode, size and mtime. Between the moment a file is queued and the
 * moment it is read or disposed of, its name can be given to another file (a swap, a symlink): the daemon opens
 * it without following links and compares the identity of the open descriptor with the one recorded when its
 * content was hashed, so it transcribes, and disposes of, only the very file it queued.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export function identityOf(info: Stats): FileIdentity {
  return { dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
}

/** The same file (device and inode), whatever happened to its content. */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** The same file with the same content as far as the file system tells (size and mtime unchanged). */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return sameFile(a, b) && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Opens a file for reading, never through a symbolic link (that fails with ELOOP). */
export function openNoFollow(path: string): Promise<FileHandle> {
  return open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
}

/** The identity of what `path` names now (the link itself for a symlink), or null when nothing does. */
export async function identityAt(path: string): Promise<FileIdentity | null> {
  try {
    return identityOf(await lstat(path));
  } catch {
    return null;
  }
}

/**
 * A path through which any process of this user (the worker thread, ffmpeg) reads the file this process holds
 * open, whatever its name names meanwhile. Linux's /proc: the daemon runs on Linux only.
 */
export function heldFilePath(handle: FileHandle): string {
  return `/proc/${process.pid}/fd/${handle.fd}`;
}
