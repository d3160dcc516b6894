/** `hushscribe daemon`: the long-running service (what systemd starts). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, type Command, type CommandIo } from '../command.js';
import { ConfigError } from '../../config/load.js';
import { cliConfig, COMMON_OPTIONS } from '../../control/cli-support.js';
import { Controller } from '../../controller.js';
import { AlreadyRunningError } from '../../pid-lock.js';
import { createLogger } from '../../log/logger.js';

const usage = `Usage: hushscribe daemon [--data-dir DIR] [--watch DIR] [--mic DEVICE] [--mqtt-url URL] [--power-mode MODE] [--wyoming URI] [--config PATH]

Runs the transcription service: watches a folder (and/or a microphone), transcribes, redacts personal data,
stores redacted transcripts in DIR/hushscribe.db and answers the CLI on DIR/control.sock.
Logs are JSON lines on stdout. Stops cleanly on SIGTERM or SIGINT.

Options:
  --watch DIR      watch folder for recordings (overrides sources.watch.dir)
  --mic DEVICE     ALSA capture device (overrides sources.mic.device)
  --mqtt-url URL   MQTT broker, e.g. mqtt://localhost:1883 (overrides mqtt.url; other MQTT options have defaults)
  --power-mode MODE  dense, sparse or auto (overrides power.mode; see README "Power modes")
  --wyoming URI    Wyoming speech-to-text server for Home Assistant: tcp://HOST[:PORT] (default port 10300)
                   or unix://PATH (turns wyoming.enabled on and sets wyoming.uri)
  --data-dir DIR   data folder (overrides dataDir)
  --config PATH    config file (default /etc/hushscribe/config.yaml if present)
  -h, --help       show this help

Exit codes: 0 stopped by a signal, 1 could not start (another daemon on DIR, database), 3 invalid config.`;

export const daemonCommand: Command = {
  name: 'daemon',
  summary: 'Run the transcription service (watch folder, microphone, control socket)',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...COMMON_OPTIONS,
        watch: { type: 'string' },
        mic: { type: 'string' },
        'mqtt-url': { type: 'string' },
        'power-mode': { type: 'string' },
        wyoming: { type: 'string' },
      },
      allowPositionals: false,
    });
    let loaded: ReturnType<typeof cliConfig>;
    try {
      const sources: Record<string, unknown> = {};
      if (values.watch) sources.watch = { dir: resolve(values.watch) };
      if (values.mic) sources.mic = { device: values.mic };
      const overrides: Record<string, unknown> = Object.keys(sources).length > 0 ? { sources } : {};
      if (values['mqtt-url']) overrides.mqtt = { url: values['mqtt-url'] };
      if (values['power-mode'] !== undefined) overrides.power = { mode: values['power-mode'] };
      if (values.wyoming !== undefined) overrides.wyoming = { enabled: true, uri: values.wyoming };
      loaded = cliConfig(values, overrides);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      io.stderr.write(`hushscribe daemon: ${err.message}\n`);
      return ExitCode.inputError;
    }
    const log = createLogger({ level: loaded.config.log.level, module: 'daemon', sink: io.stdout, withheld: loaded.config.log.fileNames ? [] : ['fileName'] });
    const controller = new Controller({ config: loaded.config, configFile: loaded.file, log });

    let stopping = false;
    const stop = (reason: string) => {
      if (!stopping) log.info('stopping', { reason });
      stopping = true;
      return controller.stop(); // the same promise every time; waits for a start in progress
    };
    const stopped = new Promise<number>((done) => {
      // Every SIGTERM/SIGINT, at any moment (also while the model loads, also a second one), ends in a clean stop.
      const onSignal = (signal: NodeJS.Signals) => void stop(signal).then(() => done(ExitCode.ok));
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      process.on('SIGHUP', () => {
        try {
          controller.reloadConfig();
        } catch (err) {
          log.error('config reload failed; keeping the running config', { err });
        }
      });
      // A bug must not leave a half-working daemon: log it, stop cleanly, and let systemd restart us.
      process.on('uncaughtException', (err) => {
        log.error('uncaught exception', { err });
        void stop('uncaught exception').then(() => done(ExitCode.failure));
      });
      process.on('unhandledRejection', (err) => log.error('unhandled promise rejection', { err }));
      // A signal that came while the CLI was loading (noted by daemon/bin/hushscribe.js): stop now; start() then does nothing.
      const early = (globalThis as Record<symbol, unknown>)[Symbol.for('hushscribe.daemon.earlySignal')];
      if (early === 'SIGTERM' || early === 'SIGINT') onSignal(early);
    });

    try {
      await controller.start();
    } catch (err) {
      log.error('daemon could not start', { err });
      if (err instanceof AlreadyRunningError) return ExitCode.failure; // nothing of ours to stop
      await stop('could not start').catch(() => undefined);
      return ExitCode.failure;
    }
    const code = await stopped;
    // Worker threads and sockets are closed; exit promptly even if a library left a handle open.
    setTimeout(() => process.exit(code), 2000).unref();
    return code;
  },
};
