/**
 * Whether ffmpeg and ffprobe run, and which version (for `hushscribe doctor`): every process spawning of ffmpeg
 * lives in daemon/audio.
 */
import { spawnSync } from 'node:child_process';

export type FfmpegTool = 'ffmpeg' | 'ffprobe';

/** The tool's version line, or why it cannot be run. */
export type ToolVersion = { ok: true; version: string } | { ok: false; reason: string };

/** Runs `<tool> -version` (at most 10 s); `path` defaults to the tool's name, looked up on PATH. */
export function ffmpegToolVersion(tool: FfmpegTool, path: string = tool): ToolVersion {
  const r = spawnSync(path, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return { ok: false, reason: (r.error as NodeJS.ErrnoException | undefined)?.code ?? `exit ${r.status}` };
  return { ok: true, version: r.stdout.split('\n')[0] ?? '' };
}
