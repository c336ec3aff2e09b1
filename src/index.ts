/**
 * hotpub's public API: named exports and types only. A leaf that only re-exports; the
 * folders never import it.
 * @packageDocumentation
 */

export {
  type EventFields,
  HtmlString,
  HttpError,
  html,
  keep,
  raw,
  redirect,
  type ServerSentEvent,
  sseEvent,
  storage,
} from './app-api.js';
export {
  defineConfig,
  type HotpubConfig,
  type HotpubOptions,
  type LoggerConfig,
  type LogLevel,
  type Middleware,
  type Next,
} from './config/index.js';
export { HotpubError, type HttpErrorOptions } from './errors/index.js';
export {
  type Context,
  type ContextState,
  type CookieOptions,
  type Cookies,
  type CorsConfig,
  createPublisher,
  type HotSocket,
  type MountedApp,
  type Publisher,
  type PublisherOptions,
  type RequestListener,
  type SocketContext,
  type UploadedFile,
  upgradeHandler,
} from './publisher/index.js';
export { createRegistry } from './registry/index.js';
export type * from './registry/types.js';
export {
  createServer,
  type HotpubServer,
  type PublisherRouter,
  type PublisherRouterOptions,
  publisher,
  type ServeOptions,
} from './server/index.js';
export type {
  SecretInput,
  Session,
  SessionData,
  SessionOptions,
} from './session/index.js';
export type {
  MemoryStorageConfig,
  RedisStorageConfig,
  SqliteStorageConfig,
  StorageConfig,
} from './storage/index.js';
