/**
 * Watch-folder source: recordings dropped into a folder are queued once their size and mtime have been stable
 * for settleMs, transcribed exactly once (the id is the content hash), then deleted (the default: the original
 * holds raw personal data) or, with keepOriginals, moved to the done folder until retention deletes it. The file stays where it was until its result is committed, so a crash at any point loses nothing:
 * on restart the file is seen again and either resumed or, if already finished, just moved on.
 */
import type { Dirent, Stats } from 'node:fs';
import { copyFile, mkdir, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Logger } from '../log/logger.js';
import { recordingIdForHandle, recordingIdForSkipped } from '../store/ids.js';
import { isRetryableStoreError, type Recording, type Store } from '../store/store.js';
import { isAudioFault } from '../pipeline/messages.js';
import type { SourceGuard } from '../pipeline/pipeline.js';
import { heldFilePath, identityAt, identityOf, openNoFollow, sameFile, sameIdentity, type FileIdentity } from './file-identity.js';

export interface WatchOptions {
  dir: string;
  /** null: delete finished files (the default); a folder: keep them there (sources.watch.keepOriginals). */
  doneDir: string | null;
  pollMs: number;
  settleMs: number;
  /** Stop admitting files while this many recordings are queued (back-pressure). */
  queueSize: number;
}

/** A file's identity when its content was hashed and queued: it must be the same file when it is read and disposed of. */
interface Taken {
  path: string;
  identity: FileIdentity;
}

/** A recording's file held open while the worker reads it, and its identity when it was opened. */
interface Held {
  handle: FileHandle;
  identity: FileIdentity;
}

interface Seen {
  size: number;
  mtimeMs: number;
  stableSince: number;
  /** Set once queued or handled, so the file is not hashed again while it waits. */
  id?: string;
}

/** Partial downloads and editor temp files are never picked up. */
const IGNORED = /^\.|\.(part|partial|tmp|crdownload|swp)$/i;
/** A folder named like a recording was most likely meant as one (a folder without such a name is just a folder, like done/). */
const AUDIO_NAME = /\.(wav|wave|mp3|ogg|oga|opus|flac|m4a|aac|mp4|webm|wma|aiff?|amr|3gp)$/i;

/** Why an entry of the folder that is not a regular file cannot be a recording, or null for one to pass over (folders, links). */
function notAFile(entry: Dirent): string | null {
  if (entry.isFIFO()) return 'is a named pipe (FIFO), not a file';
  if (entry.isSocket()) return 'is a socket, not a file';
  if (entry.isBlockDevice() || entry.isCharacterDevice()) return 'is a device, not a file';
  if (entry.isDirectory() && AUDIO_NAME.test(entry.name)) return 'is a folder, not a file';
  return null;
}

export class WatchSource implements SourceGuard {
  private readonly seen = new Map<string, Seen>();
  /** Entries recorded as NOT_A_FILE in this run (the store keeps them across runs). */
  private readonly skipped = new Set<string>();
  private readonly taken = new Map<string, Taken>();
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private stopped = true;
  private full = false;
  readonly dir: string;

  constructor(
    private readonly options: WatchOptions,
    private readonly store: Store,
    private readonly onQueued: () => void,
    private readonly log: Logger,
  ) {
    this.dir = resolve(options.dir);
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if (this.options.doneDir) await mkdir(this.options.doneDir, { recursive: true });
    this.stopped = false;
    this.log.info('watching folder', { dir: this.dir, doneDir: this.options.doneDir, delete: this.options.doneDir === null });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.scanning;
  }

  private isOurs(recording: Recording): recording is Recording & { path: string } {
    return recording.source === 'watch' && recording.path !== null && dirname(recording.path) === this.dir;
  }

  /**
   * Right before the worker reads a recording: opens its file without following links and checks it is the file
   * that was queued (device, inode, size, mtime; or, queued by an earlier run, its content hash). The worker
   * then reads it through the open descriptor, so a name swapped meanwhile changes nothing.
   */
  async hold(recording: Recording): Promise<string | null> {
    if (!this.isOurs(recording)) return recording.path;
    let handle: FileHandle;
    try {
      handle = await openNoFollow(recording.path);
    } catch (err) {
      // A link where the file was is not the file that was queued; anything else (gone) the worker reports.
      if ((err as NodeJS.ErrnoException).code !== 'ELOOP') return recording.path;
      this.changedSinceQueued(recording, 'replaced by a symbolic link');
      return null;
    }
    let identity: FileIdentity | null;
    try {
      identity = await this.verify(recording, handle);
    } catch {
      // Unreadable now (an I/O error): the worker reads it by name and reports what it finds.
      await handle.close();
      return recording.path;
    }
    if (!identity) {
      await handle.close();
      this.changedSinceQueued(recording, 'changed');
      return null;
    }
    this.held.set(recording.id, { handle, identity });
    return heldFilePath(handle);
  }

  /** The identity of the open file if it is the one queued, else null. */
  private async verify(recording: Recording, handle: FileHandle): Promise<FileIdentity | null> {
    const taken = this.taken.get(recording.id);
    const identity = identityOf(await handle.stat());
    if (taken?.path === recording.path) return sameIdentity(identity, taken.identity) ? identity : null;
    // Queued by an earlier run, or through the socket: the content itself must still hash to the id.
    const hashed = await recordingIdForHandle(handle);
    return hashed?.id === recording.id ? hashed.identity : null;
  }

  /** The pipeline stored the outcome: a committed result lets the file be disposed of, if it is still the one read. */
  async release(recording: Recording, committed: boolean): Promise<void> {
    const held = this.held.get(recording.id);
    this.held.delete(recording.id);
    try {
      if (committed && this.isOurs(recording)) await this.finished(recording, held);
    } finally {
      await held?.handle.close();
    }
  }

  /** Taken off the queue: the file is taken again once it has settled, as new audio under its new hash. */
  private changedSinceQueued(recording: Recording & { path: string }, how: string): void {
    this.log.warn(`the file was ${how} after it was queued; taking it again once it settles`, { recordingId: recording.id, fileName: recording.fileName });
    this.store.discard(recording.id);
    this.seen.delete(recording.path);
    this.taken.delete(recording.id);
  }

  private async finished(recording: Recording & { path: string }, held: Held | undefined): Promise<void> {
    const read = held ? identityOf(await held.handle.stat()) : null;
    if (held && read ? !sameIdentity(read, held.identity) : await this.changedSinceTaken(recording.id, recording.path)) {
      // Still being written (a network copy that paused): the result covers part of it. The file is taken again
      // once it has settled, as new audio; the partial result is discarded, and the file is not disposed of.
      this.log.warn('the file changed while it was transcribed; discarding the result and taking the file again once it settles', {
        recordingId: recording.id,
        fileName: recording.fileName,
      });
      this.store.discard(recording.id);
      this.seen.delete(recording.path);
      this.taken.delete(recording.id);
      return;
    }
    this.taken.delete(recording.id);
    const now = await identityAt(recording.path);
    if (read && now && !sameFile(now, read)) {
      // The name now holds another file (a swap while transcribing): that one is not ours to dispose of; it is
      // seen as new. Where the file that was read went is unknown, so the store no longer points anywhere.
      this.log.warn('the file name was given to another file while it was transcribed; leaving that file', {
        recordingId: recording.id,
        fileName: recording.fileName,
      });
      this.seen.delete(recording.path);
      this.store.setOriginal(recording.id, null);
      return;
    }
    await this.dispose(recording.path, recording.id);
  }

  /** Compared with what was queued (when this process queued it): size and mtime. */
  private async changedSinceTaken(id: string, path: string): Promise<boolean> {
    const taken = this.taken.get(id);
    if (!taken || taken.path !== path) return false;
    const now = await identityAt(path);
    return now !== null && !sameIdentity(now, taken.identity); // gone: nothing to dispose of either
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.scanning = this.scan()
        .catch((err: unknown) => this.log.error('watch folder scan failed', { dir: this.dir, err }))
        .finally(() => {
          this.scanning = null;
          this.schedule(this.options.pollMs);
        });
    }, ms);
  }

  private async scan(): Promise<void> {
    const now = Date.now();
    const entries = await readdir(this.dir, { withFileTypes: true });
    const present = new Set<string>();
    for (const entry of entries) {
      if (this.stopped) return;
      if (IGNORED.test(entry.name)) continue;
      if (!entry.isFile()) {
        const reason = notAFile(entry);
        if (reason) this.skip(join(this.dir, entry.name), reason);
        continue;
      }
      const path = join(this.dir, entry.name);
      present.add(path);
      let info: Stats;
      try {
        info = await stat(path);
      } catch {
        continue; // moved away between readdir and stat
      }
      const prev = this.seen.get(path);
      if (!prev || prev.size !== info.size || prev.mtimeMs !== info.mtimeMs) {
        // New or still being written: (re)start its settle clock.
        this.seen.set(path, { size: info.size, mtimeMs: info.mtimeMs, stableSince: now });
        if (this.options.settleMs > 0) continue;
      }
      const seen = this.seen.get(path)!;
      if (seen.id || now - seen.stableSince < this.options.settleMs) continue;
      if (!this.admit()) return;
      try {
        await this.take(path, seen);
        this.store.writeHealth.accept('watch');
      } catch (err) {
        if (!isRetryableStoreError(err)) throw err;
        // Said once, not every poll; the file is taken on a later scan, once the database accepts it.
        if (!this.store.writeHealth.isRefused('watch')) this.log.error('the database refuses new recordings; files wait in the folder', { err });
        this.store.writeHealth.refuse('watch', err);
        return;
      }
    }
    for (const path of this.seen.keys()) if (!present.has(path)) this.seen.delete(path);
  }

  /** Records an entry that cannot be a recording as failed (NOT_A_FILE), once, and leaves it where it is. */
  private skip(path: string, reason: string): void {
    if (this.skipped.has(path)) return;
    const message = `${reason}; skipped (recordings must be regular files)`;
    const created = this.store.skip({ id: recordingIdForSkipped(path), source: 'watch', fileName: basename(path), path }, 'NOT_A_FILE', message);
    this.skipped.add(path);
    if (created) this.log.warn('watch folder entry skipped', { fileName: basename(path), reason });
  }

  /** Back-pressure: leave files in the folder while the queue is full. */
  private admit(): boolean {
    const queued = this.store.countByStatus().queued;
    const full = queued >= this.options.queueSize;
    if (full !== this.full) this.log.info(full ? 'queue full, pausing the watch folder' : 'queue has room, resuming the watch folder', { queued });
    this.full = full;
    return !full;
  }

  private async take(path: string, seen: Seen): Promise<void> {
    // Hashed through one descriptor, never through a link: the id and the identity are those of one file.
    let hashed: Awaited<ReturnType<typeof recordingIdForHandle>>;
    try {
      const handle = await openNoFollow(path);
      try {
        hashed = await recordingIdForHandle(handle);
      } finally {
        await handle.close();
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP') return; // gone or swapped for a link since the scan: seen again next time
      throw err;
    }
    if (!hashed || hashed.identity.size !== seen.size || hashed.identity.mtimeMs !== seen.mtimeMs) {
      this.seen.delete(path); // written to since it settled: it settles again
      return;
    }
    const { id, identity } = hashed;
    const fileName = basename(path);
    // Marked as taken only once queued: a database refusing the write (disk full, locked) leaves it for the next scan.
    const { recording, created } = this.store.enqueue({ id, source: 'watch', fileName, path, bytes: identity.size });
    seen.id = id;
    if (created || recording.path === path) this.taken.set(id, { path, identity });
    if (created) {
      this.log.info('recording queued', { recordingId: id, fileName, bytes: seen.size });
      this.onQueued();
      return;
    }
    if (recording.status === 'failed' && !isAudioFault(recording.errorCode)) {
      // It failed for a reason of ours (the model, a crash), not the audio's: seen again, it is tried again.
      this.store.retry(id, path);
      this.log.info('recording failed before for a reason other than its audio; queued again', { recordingId: id, fileName, errorCode: recording.errorCode });
      this.onQueued();
    } else if (recording.status === 'done' || recording.status === 'failed') {
      // Finished before (a crash came between commit and move, or the same audio was dropped again).
      this.log.info('recording already transcribed, moving the file on', { recordingId: id, fileName, status: recording.status });
      await this.dispose(path, id);
    } else if (recording.path !== path) {
      this.log.info('same audio already queued under another name, moving this copy on', { recordingId: id, fileName });
      await this.dispose(path, id);
    }
  }

  private async dispose(path: string, id: string): Promise<void> {
    try {
      let kept: string | null = null;
      if (this.options.doneDir === null) {
        await unlink(path);
      } else {
        kept = await freeName(this.options.doneDir, basename(path), id);
        await moveFile(path, kept);
      }
      this.seen.delete(path);
      // The store follows the original, so retention can delete a kept one; a copy of audio already stored is not tracked.
      if (this.store.get(id)?.path === path) this.store.setOriginal(id, kept);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.log.error('cannot move a finished recording out of the watch folder', { recordingId: id, fileName: basename(path), err });
    }
  }
}

/** `name`, or `name-<id>.ext` when the done folder already holds a file of that name. */
export async function freeName(dir: string, name: string, id: string): Promise<string> {
  const target = join(dir, name);
  try {
    await stat(target);
  } catch {
    return target;
  }
  const ext = extname(name);
  return join(dir, `${name.slice(0, name.length - ext.length)}-${id}${ext}`);
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
}
