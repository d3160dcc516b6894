import type { Command } from '../command.js';
import { redactCommand } from './redact.js';
import { daemonCommand } from './daemon.js';

/** Every CLI command, in the order `hushscribe --help` lists them. Add a command by adding its module here. */
export const commands: Command[] = [daemonCommand, redactCommand];
