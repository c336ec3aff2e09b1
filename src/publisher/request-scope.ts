/**
 * Which published function is running: an AsyncLocalStorage scope around each call, so
 * an error nobody catches later (a rejected promise nobody awaited, a timer that throws)
 * can be attributed to the app and module that started it. Used only when the publisher
 * is asked to (`PublisherOptions.requestScope`): AsyncLocalStorage tracks every async
 * resource created inside, a cost a library user should not pay unasked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The published function a piece of async work belongs to. */
export interface RequestScope {
  /** App name. */
  readonly app: string;
  /** Real path of the module that serves the URL. */
  readonly file: string;
  /** Export name. */
  readonly name: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** The scope of the running code, if it was started by a published function's call. */
export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/** Calls `fn(...args)` inside `scope`. */
export function runInScope<A extends unknown[], R>(
  scope: RequestScope,
  fn: (...args: A) => R,
  ...args: A
): R {
  return storage.run(scope, fn, ...args);
}
