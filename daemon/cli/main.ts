import { parseArgs } from 'node:util';
import { type Command, type CommandIo, ExitCode, UsageError } from './command.js';
import { commands } from './commands/index.js';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ['Usage: hushscribe <command> [options]', '', 'Commands:', ...lines, '', 'Run `hushscribe <command> --help` for its options.', ''].join('\n');
}

/** Runs one CLI invocation; never throws, always resolves to an exit code. */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    const { readPackageVersion } = await import('../util/package-version.js');
    io.stdout.write(`${readPackageVersion()}\n`);
    return ExitCode.ok;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`hushscribe: unknown command '${name}'\n\n${overview()}`);
    return ExitCode.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.stderr.write(`hushscribe ${name}: ${(err as Error).message}\n\n${command.usage}\n`);
      return ExitCode.usage;
    }
    io.stderr.write(`hushscribe ${name}: ${(err as Error)?.message ?? String(err)}\n`);
    return ExitCode.failure;
  }
}

export { parseArgs };
