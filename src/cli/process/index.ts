/**
 * What a long-running `hotpub serve` process adds around the library's `createServer`:
 * pino logging, the `/-/` endpoints, signals and graceful shutdown, node:cluster workers.
 */
export { createLogger, type LogSettings } from './logger.js';
export {
  onReloadSignal,
  onShutdownSignal,
  type RunningServer,
  type RunServerOptions,
  runServer,
} from './run-server.js';
export {
  onWorkerShutdown,
  type PrimaryOptions,
  reportFatal,
  reportReady,
  runPrimary,
} from './workers.js';
