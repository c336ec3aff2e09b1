/**
 * Configuration: the options every entry point shares, their defaults, and the type and
 * validation of `hotpub.config.ts`. A leaf: it imports only src/errors/.
 */
export {
  defineConfig,
  type HotpubConfig,
  type LoggerConfig,
  type LogLevel,
  parseSize,
  validateConfig,
} from './config-file.js';
export { DEFAULTS } from './defaults.js';
export type { HotpubOptions, Middleware, Next } from './options.js';
