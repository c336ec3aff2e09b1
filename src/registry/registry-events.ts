/**
 * The registry's event channel: `on(type, listener)` returns its own unsubscribe, and a
 * throwing listener never reaches the registry.
 *
 * Not node:events: its `emit('error')` throws when nobody listens, and a listener that
 * throws stops the listeners after it. Here `error` is an ordinary event (a failed reload
 * is news, not a crash) and every listener hears every event.
 */
import type { RegistryEvents } from './types.js';

/** Ends a subscription. Idempotent. */
export type Unsubscribe = () => void;

/** A listener of events of type `K`. */
export type RegistryListener<K extends keyof RegistryEvents> = (event: RegistryEvents[K]) => void;

/** One subscription; an object, so the same function can be subscribed twice. */
interface Subscription {
  readonly listener: (event: never) => void;
}

export class RegistryEmitter {
  private readonly byType = new Map<keyof RegistryEvents, Set<Subscription>>();

  /** Calls `listener` with every event of `type` until the returned function is called. */
  on<K extends keyof RegistryEvents>(type: K, listener: RegistryListener<K>): Unsubscribe {
    if (typeof listener !== 'function') {
      throw new TypeError(`registry.on('${type}', listener): listener must be a function`);
    }
    let subs = this.byType.get(type);
    if (subs === undefined) {
      subs = new Set();
      this.byType.set(type, subs);
    }
    const sub: Subscription = { listener };
    subs.add(sub);
    return () => {
      subs.delete(sub);
    };
  }

  /** Sends `event` to every listener of `type` subscribed now. */
  emit<K extends keyof RegistryEvents>(type: K, event: RegistryEvents[K]): void {
    const subs = this.byType.get(type);
    if (subs === undefined || subs.size === 0) return;
    for (const sub of [...subs]) {
      try {
        (sub.listener as RegistryListener<K>)(event);
      } catch {
        // A listener's bug must not fail a reload or skip the other listeners.
      }
    }
  }
}
