/**
 * Entry point of `bin/hotpub`: runs the command line and exits with its status.
 * @module
 */
import { runCli } from './run.js';

const status = await runCli(process.argv.slice(2));
// Serve has closed its server and registry by now; a stray handle must not keep the
// process alive after shutdown, and other commands have nothing left to do.
process.exitCode = status;
if (process.argv[2] === 'serve' || process.argv[2] === 'dev') process.exit(status);
