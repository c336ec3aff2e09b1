/**
 * Changes, not files: the watcher's touched paths, grouped per app into changes. Touches of
 * one app less than {@link CHANGE_QUIET_MS} apart belong to one change, applied once the app
 * has been quiet that long, or {@link CHANGE_MAX_WAIT_MS} after its first touch at the
 * latest, even while touches keep coming. Per app one change runs at a time: touches during
 * it form the next one (a burst is coalesced into the latest content, never a queue).
 *
 * Before a change is applied its module files are read; an empty or unparsable read is a
 * write in progress: the whole change waits for the next touch or looks again shortly
 * ({@link SETTLE_MS}; paid only then, never on a good save), so no half-written file is
 * evaluated. A file still unparsable after that is applied as it is, and refuses its change.
 */
import { readFile } from 'node:fs/promises';
import type { Touch } from './reload.js';
import { MODULE_EXTENSIONS } from './resolve.js';

/** Touches of one app closer than this are one change. */
export const CHANGE_QUIET_MS = 50;

/** Longest wait from a change's first touch to its application. */
export const CHANGE_MAX_WAIT_MS = 1000;

/** Delays before re-reading a change with an empty or unparsable file, if no touch comes first. */
const SETTLE_MS = [15, 50, 150, 400];

/** What the collector drives. */
export interface CollectorHost {
  /** The app (lock domain) a path belongs to: touches are grouped by it. */
  domainOf(path: string): string;
  /** True if `text` is a module esbuild can transform. */
  parses(file: string, text: string): Promise<boolean>;
  /** Applies one change. */
  apply(touches: Touch[]): Promise<unknown>;
  /** Reports an unexpected failure. */
  onError(err: unknown): void;
}

interface Pending {
  /** Touched paths, each with the count of touches seen (a touch during a read is kept). */
  readonly paths: Map<string, number>;
  /** Time of the first touch of the change being collected (0: none yet). */
  first: number;
  last: number;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  tries: number;
}

const isModule = (path: string) => MODULE_EXTENSIONS.some((e) => path.endsWith(e));

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export class ChangeCollector {
  private readonly byDomain = new Map<string, Pending>();
  private closed = false;

  constructor(private readonly host: CollectorHost) {}

  /** A path was touched (the watcher's callback). */
  touch(path: string): void {
    if (this.closed) return;
    const key = this.host.domainOf(path);
    let p = this.byDomain.get(key);
    if (!p) {
      p = { paths: new Map(), first: 0, last: 0, timer: undefined, running: false, tries: 0 };
      this.byDomain.set(key, p);
    }
    const now = Date.now();
    if (p.first === 0) p.first = now;
    p.last = now;
    p.paths.set(path, (p.paths.get(path) ?? 0) + 1);
    if (!p.running) this.arm(key, p);
  }

  /** Stops: pending touches are dropped, a running change finishes. */
  close(): void {
    this.closed = true;
    for (const p of this.byDomain.values()) clearTimeout(p.timer);
    this.byDomain.clear();
  }

  private arm(key: string, p: Pending, delay?: number): void {
    clearTimeout(p.timer);
    const due = Math.min(p.last + CHANGE_QUIET_MS, p.first + CHANGE_MAX_WAIT_MS) - Date.now();
    p.timer = setTimeout(() => void this.fire(key, p), delay ?? Math.max(0, due));
  }

  private async fire(key: string, p: Pending): Promise<void> {
    p.timer = undefined;
    if (this.closed) return;
    p.running = true;
    const seen = new Map(p.paths);
    // Touches from now on start the next change's clock (unless this one has to wait).
    const first = p.first;
    p.first = 0;
    let settled = true;
    try {
      const touches = await Promise.all(
        [...seen.keys()].map(async (path): Promise<Touch> => {
          if (!isModule(path)) return { path };
          const text = await readOrUndefined(path);
          if (text !== undefined && p.tries < SETTLE_MS.length) {
            if (text.length === 0 || !(await this.host.parses(path, text))) settled = false;
          }
          return { path, text };
        }),
      );
      if (!settled) {
        p.first = first;
        return;
      }
      p.tries = 0;
      // Touches that came while reading stay for the next change (their text may be newer).
      for (const [path, n] of seen) if (p.paths.get(path) === n) p.paths.delete(path);
      await this.host.apply(touches);
    } catch (err) {
      if (!this.closed) this.host.onError(err);
    } finally {
      p.running = false;
      if (this.closed) {
        // nothing more
      } else if (!settled) {
        this.arm(key, p, SETTLE_MS[p.tries++]);
      } else if (p.paths.size > 0) {
        this.arm(key, p);
      } else if (this.byDomain.get(key) === p) {
        this.byDomain.delete(key);
      }
    }
  }
}
