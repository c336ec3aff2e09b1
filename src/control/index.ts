/**
 * The control plane (`/-/`): dashboard, live feed, OpenAPI document and docs, reload and
 * freeze controls, and the `--dev` home page. HTTP-side; reads the registry through
 * `ModuleRegistry` and the publisher through its public API.
 */
export { type ControlAccess, MIN_TOKEN_LENGTH, tokenMatches } from './auth.js';
export type { ChangeEntry } from './change-log.js';
export { ControlPlane } from './control-plane.js';
export type { DashboardApp, DashboardModule, DashboardState } from './dashboard-state.js';
export { buildOpenApi, type OpenApiDocument } from './openapi.js';
