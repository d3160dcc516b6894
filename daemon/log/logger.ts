/**
 * Structured logging: one JSON object per line on stdout, which journald stores and `journalctl -o cat` shows as is.
 * Under systemd each line starts with a syslog priority prefix (`<6>`), which journald strips and keeps as the
 * entry's priority, so `journalctl -p warning` works.
 *
 * Privacy rule (the promise that raw personal data never leaves RAM): callers never pass transcripts, recognised
 * words or PII values, only ids, counts, durations, codes and file names. As a backstop, fields named `text` or
 * `transcript` (any case) are written as "[withheld]" whatever they hold, and so are the `withheld` fields a logger
 * is made with: the daemon withholds `fileName` unless `log.fileNames` is on, since people name recordings after
 * whoever is on them.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface LogSink {
  write(line: string): unknown;
}

export interface LoggerOptions {
  /** Lowest level written. Default: $HUSHSCRIBE_LOG_LEVEL, else 'info'. */
  level?: LogLevel;
  /** Which part of the daemon speaks (audio, asr, store, ...). */
  module?: string;
  /** Where lines go. Default: process.stdout. */
  sink?: LogSink;
  /** Fields added to every line. */
  fields?: LogFields;
  /** Clock, for reproducible output. Default: the system clock. */
  now?: () => Date;
  /** Start lines with a syslog priority prefix for journald. Default: when stdout is the journal ($JOURNAL_STREAM). */
  priorityPrefix?: boolean;
  /** More field names (any case) written as "[withheld]", besides text and transcript. */
  withheld?: readonly string[];
}

/** syslog priorities, as journald reads them from a `<N>` line prefix. */
const PRIORITY: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3 };
const RESERVED = new Set(['level', 'time', 'module', 'msg']);
const WITHHELD = new Set(['text', 'transcript']);

export class Logger {
  readonly level: LogLevel;
  readonly module: string | undefined;
  private readonly sink: LogSink;
  private readonly fields: LogFields;
  private readonly now: () => Date;
  private readonly priorityPrefix: boolean;
  private readonly withheld: ReadonlySet<string>;

  constructor(options: LoggerOptions = {}) {
    const level = options.level ?? (process.env.HUSHSCRIBE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
    if (!LOG_LEVELS.includes(level)) {
      throw new RangeError(`log level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    }
    this.level = level;
    this.module = options.module;
    this.sink = options.sink ?? process.stdout;
    this.fields = { ...options.fields };
    this.now = options.now ?? (() => new Date());
    this.priorityPrefix = options.priorityPrefix ?? Boolean(process.env.JOURNAL_STREAM);
    this.withheld = new Set([...WITHHELD, ...(options.withheld ?? []).map((f) => f.toLowerCase())]);
  }

  /** A logger for a sub-module or a unit of work; inherits level, sink and fields, adding its own. */
  child(module: string | undefined, fields: LogFields = {}): Logger {
    return new Logger({
      level: this.level,
      module: module ?? this.module,
      sink: this.sink,
      fields: { ...this.fields, ...fields },
      now: this.now,
      priorityPrefix: this.priorityPrefix,
      withheld: [...this.withheld],
    });
  }

  isLevelEnabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.level);
  }

  debug(msg: string, fields?: LogFields): void {
    this.write('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.write('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields: LogFields = {}): void {
    if (!this.isLevelEnabled(level)) return;
    const entry: LogFields = { level, time: this.now().toISOString(), module: this.module, msg };
    for (const [key, value] of Object.entries({ ...this.fields, ...fields })) {
      // A caller's field never overwrites the envelope; it is kept under a prefixed name instead.
      const name = RESERVED.has(key) ? `field_${key}` : key;
      entry[name] = this.withheld.has(key.toLowerCase()) ? '[withheld]' : value;
    }
    this.sink.write(`${this.priorityPrefix ? `<${PRIORITY[level]}>` : ''}${stringify(entry)}\n`);
  }
}

export function createLogger(options?: LoggerOptions): Logger {
  return new Logger(options);
}

/** JSON that cannot throw: errors keep name/message/code, bigints become strings, cycles are cut. */
function stringify(entry: LogFields): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(entry, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) {
      return { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}) };
    }
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}
