// Privacy proof under a crash: the daemon is killed with SIGKILL while it is transcribing a long recording full
// of planted personal data (segments already stored, more in progress). No file it leaves behind (database,
// -wal, -shm, data dir, its TMPDIR) holds any form of the values; after a restart the recording is finished and
// still nothing leaks.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonSetup, ensureBuilt, ROOT, tempDir, waitFor } from './fixtures/daemon/harness.js';
import { leakForms, leaksIn, leaksOnDisk, synthesize } from './fixtures/daemon/privacy.js';

ensureBuilt();

t.test('kill -9 while transcribing leaves no raw text behind', async (t) => {
  const src = tempDir('privacy-crash-src');
  const paths = synthesize(src);
  const forms = leakForms(paths);
  t.match(forms.recognised[1], /four five three two/, 'the model hears the card number');

  // About 10 minutes of audio: the four utterances, 1 s apart, 36 times over; long enough to kill it mid-way.
  const list = join(src, 'list.txt');
  const silence = join(src, 'silence.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=22050:cl=mono', '-t', '1', '-c:a', 'pcm_s16le', silence]);
  writeFileSync(list, Array.from({ length: 36 }, () => [...paths, silence].map((p) => `file '${p}'`).join('\n')).join('\n'));
  const long = join(src, 'long.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', long]);

  const { dir, daemon, watch } = daemonSetup('privacy-crash', {
    config: { asr: { modelDir: join(ROOT, 'models', 'hushscribe-en-v1') } },
  });
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  t.teardown(() => daemon.kill());
  daemon.start([], { TMPDIR: tmp });
  await daemon.ready(120_000);
  copyFileSync(long, join(watch, 'long.wav'));

  // Kill as soon as some segments are stored and the recording is still being transcribed.
  const stored = await waitFor(
    () => {
      const [r] = daemon.query<{ status: string; n: number }>(
        'SELECT r.status, (SELECT count(*) FROM segments s WHERE s.recording_id = r.id) AS n FROM recordings r',
      );
      return r && r.status === 'processing' && r.n >= 4 ? r.n : undefined;
    },
    150_000,
    'segments stored while processing',
  );
  await daemon.kill('SIGKILL');
  const total = daemon.query<{ n: number }>('SELECT count(*) AS n FROM segments')[0]!.n;
  t.ok(total >= stored, `killed with ${total} segments stored`);
  t.equal(daemon.query<{ status: string }>('SELECT status FROM recordings')[0]!.status, 'processing', 'killed mid-recording');

  const db = join(daemon.dataDir, 'hushscribe.db');
  const afterCrash = leaksOnDisk([dir], forms, db);
  t.ok(afterCrash.files >= 3, `${afterCrash.files} files searched after the crash`);
  t.same(afterCrash.hits, [], 'no value in any file after kill -9');
  t.same(leaksIn(daemon.output, forms), [], 'no value in the output up to the crash');

  // Restarted, the daemon re-transcribes the recording from the start; still nothing leaks.
  daemon.start([], { TMPDIR: tmp });
  await daemon.ready(120_000);
  await waitFor(() => daemon.query<{ status: string }>('SELECT status FROM recordings')[0]?.status === 'done', 170_000, 'recording finished after restart');
  const texts = daemon
    .query<{ text: string }>('SELECT text FROM segments')
    .map((s) => s.text)
    .join('\n');
  t.match(texts, '[CREDIT_CARD]', 'the values were there and are stored redacted');
  t.equal(await daemon.kill('SIGTERM'), 0);
  t.same(leaksOnDisk([dir], forms, db).hits, [], 'no value in any file after the restart');
  t.same(leaksIn(daemon.output, forms), [], 'no value in the output after the restart');
});
