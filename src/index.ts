/**
 * hotpub's public API: named exports and types only.
 * @packageDocumentation
 */

export type { UploadedFile } from './publisher/body.js';
export type { Context } from './publisher/context.js';
export type { MountedApp, Publisher, PublisherOptions } from './publisher/create-publisher.js';
export { createPublisher } from './publisher/create-publisher.js';
export type { HttpErrorOptions } from './publisher/errors.js';
export { HttpError } from './publisher/errors.js';
export { HtmlString, html, raw } from './publisher/html.js';
export { keep } from './registry/index.js';
export type * from './registry/types.js';
export type { HotpubConfig, LoggerConfig, LogLevel, Middleware } from './server/config.js';
export { defineConfig } from './server/config.js';
export type { PublisherRouter, PublisherRouterOptions } from './server/router.js';
export { publisher } from './server/router.js';
export type { HotpubServer, ServeOptions } from './server/serve.js';
export { createServer } from './server/serve.js';
