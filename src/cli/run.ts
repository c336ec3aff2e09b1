/**
 * The command line as a function: parses `argv`, runs the command, and turns every
 * failure into one `hotpub: ...` line on stderr and an exit status (2 usage, 1 runtime).
 */

import { packageVersion } from '../scaffold/index.js';
import { type Command, parseCommandLine } from './args.js';
import { describeError, usageError } from './describe-error.js';
import { helpText } from './help.js';
import { type CliIo, processIo } from './io.js';
import { openapiCommand } from './openapi-command.js';
import { routesCommand } from './routes-command.js';
import { initCommand, newAppCommand, newModuleCommand } from './scaffold-commands.js';
import { serveCommand } from './serve-command.js';

/**
 * Runs one command line. Resolves with the exit status once the command is done (for
 * `serve`, once the server has shut down after SIGTERM/SIGINT).
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    return await execute(command, io);
  } catch (err) {
    const { line, exitCode } = describeError(err);
    io.err(`hotpub: ${line}`);
    return exitCode;
  }
}

async function execute(command: Command, io: CliIo): Promise<number> {
  switch (command.kind) {
    case 'help': {
      const text = helpText(command.topic);
      if (text === undefined) throw usageError(`no help on "${command.topic}"`);
      io.out(text);
      return 0;
    }
    case 'version':
      io.out(packageVersion());
      return 0;
    case 'serve':
      return serveCommand(io, command.flags);
    case 'routes':
      await routesCommand(io, command.flags);
      return 0;
    case 'openapi':
      await openapiCommand(io, command.flags, command.out);
      return 0;
    case 'new-app':
      await newAppCommand(io, command.name, command.template, command.apps);
      return 0;
    case 'new-module':
      await newModuleCommand(io, command.target, command.apps);
      return 0;
    case 'init':
      await initCommand(io, command.dir);
      return 0;
  }
}
