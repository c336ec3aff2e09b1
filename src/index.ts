/**
 * hotpub's public API: named exports and types only.
 * @packageDocumentation
 */
export type * from './registry/types.js';
export type { HotpubConfig, LoggerConfig, LogLevel, Middleware } from './server/config.js';
export { defineConfig } from './server/config.js';
export { keep } from './registry/index.js';
