/**
 * What a long-running `hotpub serve` process adds around the library's `createServer`:
 * pino logging, the `/-/` endpoints, signals and graceful shutdown, node:cluster workers.
 */
export { createLogger, type LogSettings } from './logger.js';
export { coalesced, logReload, onReloadSignal, reloadAndLog } from './reload-signal.js';
export {
  onShutdownSignal,
  type RunningServer,
  type RunServerOptions,
  runServer,
} from './run-server.js';
export {
  onWorkerReload,
  onWorkerShutdown,
  type PrimaryOptions,
  reportFatal,
  reportReady,
  runPrimary,
} from './workers.js';
