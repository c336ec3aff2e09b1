/**
 * A WebSocket upgrade handed to an ordinary request listener. node:http gives upgrades to
 * its `upgrade` event as (req, socket, head), outside every request listener; here the
 * request is marked as an upgrade and given a `ServerResponse` written to the raw socket,
 * then passed to the listener like any request. So Express middleware, mount paths, the
 * publisher's routing, hooks and guards all apply to it unchanged, and a refusal (404,
 * 401, 403...) is an ordinary HTTP response, request id included. The WebSocket function
 * that accepts it takes the socket back from that response.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** The raw connection of an upgrade request, until a WebSocket function accepts it. */
export interface PendingUpgrade {
  readonly socket: Duplex;
  readonly head: Buffer;
  /** The response that writes to `socket` while the upgrade is undecided. */
  readonly res: ServerResponse;
}

const kUpgrade = Symbol.for('hotpub.upgrade');
type Marked = IncomingMessage & { [kUpgrade]?: PendingUpgrade };

/** The pending upgrade `req` is, or undefined for an ordinary request. */
export function upgradeOf(req: IncomingMessage): PendingUpgrade | undefined {
  return (req as Marked)[kUpgrade];
}

/** A request listener: node:http's, an Express app, a connect app, the publisher's `handle`. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Marks `req` as an upgrade and returns the response that answers it over `socket` when
 * nothing accepts it (then the connection is closed after that response).
 */
export function upgradeResponse(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): ServerResponse {
  const res = new ServerResponse(req);
  res.assignSocket(socket as never);
  res.shouldKeepAlive = false; // an answered upgrade ends its connection
  res.once('finish', () => {
    if (!socket.destroyed) socket.end();
  });
  (req as Marked)[kUpgrade] = { socket, head, res };
  return res;
}

/**
 * Takes the socket of an accepted upgrade back from its response; returns the socket and
 * the bytes already read past the request head, for the WebSocket handshake.
 */
export function takeSocket(req: IncomingMessage): { socket: Duplex; head: Buffer } {
  const up = upgradeOf(req);
  if (up === undefined) throw new Error('not an upgrade request');
  up.res.detachSocket(up.socket as never);
  (req as Marked)[kUpgrade] = undefined;
  return { socket: up.socket, head: up.head };
}

/**
 * The `upgrade` listener for a server whose requests `listener` answers: each WebSocket
 * upgrade goes through `listener` (an Express app with `publisher()` mounted in it, say),
 * and the WebSocket function at its URL accepts it. What nothing accepts is answered
 * with an HTTP error (a 404 from Express's final handler) and the connection closed.
 *
 * @example
 * const server = app.listen(3000);
 * server.on('upgrade', upgradeHandler(app));
 */
export function upgradeHandler(
  listener: RequestListener,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy()); // a reset client must not crash the server
    const res = upgradeResponse(req, socket, head);
    try {
      listener(req, res);
    } catch {
      socket.destroy();
    }
  };
}
