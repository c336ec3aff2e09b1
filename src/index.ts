/**
 * hotpub's public API: named exports and types only.
 * @packageDocumentation
 */

export type { UploadedFile } from './publisher/body.js';
export type { Context, ContextState, SocketContext } from './publisher/context.js';
export type { CookieOptions, Cookies } from './publisher/cookies.js';
export type { CorsConfig } from './publisher/cors-policy.js';
export type { MountedApp, Publisher, PublisherOptions } from './publisher/create-publisher.js';
export { createPublisher } from './publisher/create-publisher.js';
export type { HttpErrorOptions } from './publisher/errors.js';
export { HttpError } from './publisher/errors.js';
export type { EventFields, ServerSentEvent } from './publisher/event-stream.js';
export { sseEvent } from './publisher/event-stream.js';
export type { HotSocket } from './publisher/hot-socket.js';
export type { RequestListener } from './publisher/upgrade-request.js';
export { upgradeHandler } from './publisher/upgrade-request.js';
export { keep } from './registry/index.js';
export type * from './registry/types.js';
export type { HotpubConfig, LoggerConfig, LogLevel, Middleware } from './server/config.js';
export { defineConfig } from './server/config.js';
export type { PublisherRouter, PublisherRouterOptions } from './server/router.js';
export { publisher } from './server/router.js';
export type { HotpubServer, ServeOptions } from './server/serve.js';
export { createServer } from './server/serve.js';
