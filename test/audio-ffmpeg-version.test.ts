import t from 'tap';
import { ffmpegToolVersion } from '../daemon/audio/ffmpeg-version.js';

t.test('ffmpeg and ffprobe report their version line; a missing binary says why', async (t) => {
  for (const tool of ['ffmpeg', 'ffprobe'] as const) t.match(ffmpegToolVersion(tool), { ok: true, version: new RegExp(`^${tool} version `) });
  t.same(ffmpegToolVersion('ffmpeg', '/nonexistent/ffmpeg'), { ok: false, reason: 'ENOENT' });
  t.same(ffmpegToolVersion('ffmpeg', 'false'), { ok: false, reason: 'exit 1' });
});
