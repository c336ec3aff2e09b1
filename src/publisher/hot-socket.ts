/**
 * `ctx.socket`: one WebSocket connection as a WebSocket function sees it. The connection
 * outlives every reload; only the code that answers its next message changes.
 */

/** One open WebSocket connection. */
export interface HotSocket {
  /** The connection's id: the id of the request that opened it (`x-request-id`). */
  readonly id: string;
  /**
   * Per-connection state: the same object for the whole life of the connection, across
   * every reload of the code (it belongs to the connection, not to a module).
   */
  // biome-ignore lint/suspicious/noExplicitAny: apps keep anything here, like import.meta.hot.data
  readonly data: Record<string, any>;
  /** True until the connection closes. */
  readonly open: boolean;
  /**
   * Sends `value`: a string as a text message, bytes (`Uint8Array`, `ArrayBuffer`) as a
   * binary one, anything else as JSON text. Does nothing once the connection is closed.
   */
  send(value: unknown): void;
  /** Closes the connection (`code` 1000 by default; 3000-4999 are the app's own codes). */
  close(code?: number, reason?: string): void;
  /** Receives what any connection of this app publishes to `topic` (in this process). */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** The topics this connection is subscribed to. */
  readonly topics: ReadonlySet<string>;
  /**
   * Sends `value` (as `send` would) to every other connection of this app subscribed to
   * `topic`, in this process (under `--workers`, each process has its own subscribers).
   * Returns how many connections it was sent to.
   */
  publish(topic: string, value: unknown): number;
}
