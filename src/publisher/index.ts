/**
 * The publisher: URL -> app, module and published function, the call, and the response.
 * It sees the registry only through `ModuleRegistry` (src/registry/types.ts).
 */
export { type AppDef, type AppJson, appConfigRules, discoverApps } from './app-config.js';
export type { UploadedFile } from './body.js';
export type { Context, ContextState, SocketContext } from './context.js';
export type { CookieOptions, Cookies } from './cookies.js';
export type { CorsConfig } from './cors-policy.js';
export {
  createPublisher,
  type MountedApp,
  type Publisher,
  type PublisherOptions,
} from './create-publisher.js';
export { escapeHtml, staleBanner } from './dev-error-page.js';
export type { HotSocket } from './hot-socket.js';
export { assignRequestId, requestIdOf } from './request-id.js';
export { currentScope, type RequestScope } from './request-scope.js';
export type { RouteListing } from './route-listing.js';
export type { StaleModule } from './stale-code.js';
export { type RequestListener, upgradeHandler } from './upgrade-request.js';
