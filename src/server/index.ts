/**
 * hotpub as a library: `createServer` (node:http, Express when middleware is set),
 * `publisher()` for an existing Express app, the start-up they share, and the `/-/`
 * endpoints a caller may wire in. The CLI is one user of this folder.
 */
export { type AdminOptions, type AdminSource, createAdminHandler } from './admin.js';
export { type ReloadAllResult, reloadAll } from './reload-all.js';
export { type PublisherRouter, type PublisherRouterOptions, publisher } from './router.js';
export { createServer, type HotpubServer, type ServeOptions } from './serve.js';
export {
  type StartedPublisher,
  type StartPublisherOptions,
  startPublisher,
} from './start-publisher.js';
