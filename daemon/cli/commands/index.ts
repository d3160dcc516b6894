import type { Command } from '../command.js';
import { redactCommand } from './redact.js';
import { daemonCommand } from './daemon.js';
import { statusCommand } from './status.js';
import { transcriptsCommand } from './transcripts.js';
import { ingestCommand } from './ingest.js';
import { configCommand } from './config.js';
import { doctorCommand } from './doctor.js';
import { modelsCommand } from './models.js';
import { transcribeCommand } from './transcribe.js';
import { powerCommand } from './power.js';
import { lmCommand } from './lm.js';
import { pauseCommand, resumeCommand } from './pause.js';
import { retryCommand } from './retry.js';
import { listenCommand } from './listen.js';

/** Every CLI command, in the order `hushscribe --help` lists them. Add a command by adding its module here. */
export const commands: Command[] = [
  daemonCommand,
  statusCommand,
  transcriptsCommand,
  ingestCommand,
  listenCommand,
  retryCommand,
  pauseCommand,
  resumeCommand,
  powerCommand,
  configCommand,
  doctorCommand,
  modelsCommand,
  transcribeCommand,
  redactCommand,
  lmCommand,
];
