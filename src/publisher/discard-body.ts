/**
 * A refused body (413) must leave the client able to read the answer. Closing the
 * connection while the client is still sending makes the kernel reset it, and Node's
 * fetch then reports ECONNRESET/EPIPE instead of the 413; keeping it alive instead lets
 * a client that reuses sockets send its next request into the unread rest of this body.
 * So the answer says `Connection: close`, goes out at once, and the connection is closed
 * only once the rest of the body was read and dropped (as raw-body reads it), up to a
 * bound in bytes and in time; past either it is closed anyway.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { HttpError } from '../errors/index.js';

/** Most body bytes read and thrown away after a refusal (SPEC: at least 16 MiB). */
export const DISCARD_LIMIT = 16 * 1024 * 1024;
/** Longest wait, after the answer, for the rest of a refused body. */
const DISCARD_MS = 5000;

/** Reads and drops the rest of `req`'s body; resolves at its end, or past the bound. */
function discardRest(req: IncomingMessage): Promise<void> {
  if (req.complete || req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_LIMIT) done();
    };
    const done = () => {
      req.off('data', onData);
      req.off('end', done);
      req.off('error', done);
      req.off('close', done);
      resolve();
    };
    req.on('data', onData);
    req.on('end', done);
    req.on('error', done);
    req.on('close', done);
    req.resume();
  });
}

/**
 * Node closes a `Connection: close` socket with `destroySoon()` once the answer is
 * written; this one first half-closes (the client reads the answer and EOF) and destroys
 * only when `drained` settles or {@link DISCARD_MS} passed.
 */
function closeAfter(socket: Socket | null, drained: Promise<void>): void {
  if (socket === null || socket.destroyed) return;
  const destroySoon = socket.destroySoon;
  socket.destroySoon = function holdOpen(this: Socket) {
    socket.destroySoon = destroySoon;
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), DISCARD_MS);
    timer.unref();
    drained.then(() => {
      clearTimeout(timer);
      destroySoon.call(this);
    });
  };
}

/**
 * The answer to a body read that ended in a 413: closes the connection, after reading
 * and dropping the rest of a body announced within {@link DISCARD_LIMIT} (a larger one is
 * not worth reading: the connection closes at once).
 */
export function refusedBody(req: IncomingMessage, err: HttpError): HttpError {
  const declared = Number(req.headers['content-length']);
  if (!(declared > DISCARD_LIMIT)) closeAfter(req.socket, discardRest(req));
  return new HttpError(err.status, err.message, {
    code: err.code,
    headers: { ...err.headers, connection: 'close' },
  });
}
