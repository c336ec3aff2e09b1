/**
 * Request ids: every request gets one, taken from a well-formed incoming `x-request-id`
 * (a proxy's or a client's) or made fresh, and sent back as `x-request-id` on every
 * response, errors and 404s included. The id lives on the request object, so each layer
 * (the server's listener, Express middleware, the publisher) reads the same one.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The header read and written. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An incoming id is kept when it is 1-255 characters of `A-Z a-z 0-9 _ - =` (Hono's
 * rule): no spaces, quotes or control characters can reach a log line or a header.
 */
const WELL_FORMED = /^[\w\-=]{1,255}$/;

const kId = Symbol.for('hotpub.requestId');
type WithId = IncomingMessage & { [kId]?: string };

/** True if `value` may be used as a request id as it is. */
export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED.test(value);
}

/** The id of `req` if one was assigned. */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return (req as WithId)[kId];
}

/**
 * The id of `req`, assigned on first call (the incoming header when well-formed, else a
 * random UUID), and set as the `x-request-id` response header when `res` is given and
 * has not sent its headers yet. Idempotent.
 */
export function assignRequestId(req: IncomingMessage, res?: ServerResponse): string {
  let id = (req as WithId)[kId];
  if (id === undefined) {
    const incoming = req.headers[REQUEST_ID_HEADER];
    id = isWellFormedRequestId(incoming) ? incoming : randomUUID();
    (req as WithId)[kId] = id;
  }
  if (res !== undefined && !res.headersSent) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
