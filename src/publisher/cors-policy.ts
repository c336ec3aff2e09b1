/**
 * CORS for one app, from its app.json `cors`: the `cors` package run on each request of
 * that app (and of no other), before anything else answers it. A preflight `OPTIONS` is
 * answered 204 there; every other response of the app carries the CORS headers, errors
 * and 404s included (the error response keeps them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';

/** app.json `cors` (the same fields as the `cors` package's options). */
export interface CorsConfig {
  /** Origins allowed to read responses: one, a list, or `"*"` (any, also inside a list). */
  origin: string | string[];
  /** `Access-Control-Allow-Credentials: true`. */
  credentials?: boolean;
  /** Methods a preflight allows. Default the `cors` package's: GET,HEAD,PUT,PATCH,POST,DELETE. */
  methods?: string[];
  /** Request headers a preflight allows. Default: those the preflight asks for. */
  allowedHeaders?: string[];
  /** Response headers the page may read. */
  exposedHeaders?: string[];
  /** Seconds a preflight answer may be cached. */
  maxAge?: number;
}

/**
 * Applies an app's CORS rules to a request: sets the headers and returns true when it
 * answered the request itself (a preflight), false when the request goes on.
 */
export type CorsPolicy = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What `origin` becomes for the `cors` package. */
function originOption(config: CorsConfig): cors.CorsOptions['origin'] {
  const list = Array.isArray(config.origin) ? config.origin : [config.origin];
  if (list.includes('*')) {
    // `*` cannot go with credentials (browsers refuse it): reflect the caller's origin instead.
    return config.credentials ? true : '*';
  }
  return Array.isArray(config.origin) ? [...config.origin] : config.origin;
}

/** The policy of an app, or undefined when its app.json has no `cors`. */
export function createCorsPolicy(config: CorsConfig | undefined): CorsPolicy | undefined {
  if (config === undefined) return undefined;
  const options: cors.CorsOptions = { origin: originOption(config) };
  if (config.credentials !== undefined) options.credentials = config.credentials;
  if (config.methods !== undefined) options.methods = config.methods;
  if (config.allowedHeaders !== undefined) options.allowedHeaders = config.allowedHeaders;
  if (config.exposedHeaders !== undefined) options.exposedHeaders = config.exposedHeaders;
  if (config.maxAge !== undefined) options.maxAge = config.maxAge;
  const middleware = cors(options);
  return (req, res) => {
    // With static options the middleware is synchronous: `next` runs now, or never
    // (it answered the preflight).
    let passed = false;
    middleware(req as never, res as never, () => {
      passed = true;
    });
    return !passed;
  };
}

/** True for the headers CORS sets: an error response keeps them, so the page can read it. */
export function isCorsHeader(name: string): boolean {
  return name.startsWith('access-control-') || name === 'vary';
}
