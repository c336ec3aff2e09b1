/**
 * Stale code under `--dev`: an app whose latest save failed (a syntax error, a failed
 * import, a top-level throw) while its last good generation keeps serving. Nothing in the
 * browser would show it, so responses of such an app carry `x-hotpub-stale: FILE:LINE`
 * and the dev HTML pages show a banner. Kept up to date from the registry's events.
 */
import { relative } from 'node:path';
import type { ModuleRegistry } from '../registry/types.js';

/** A module whose latest content failed while its last good code serves. */
export interface StaleModule {
  app: string;
  /** Path relative to the apps directory, `/`-separated. */
  file: string;
  line: number | undefined;
  code: string;
  message: string;
}

/** The stale modules of every app, following the registry. */
export class StaleCode {
  private byApp = new Map<string, StaleModule[]>();
  private readonly off: Array<() => void>;

  constructor(private readonly registry: ModuleRegistry) {
    const update = (e: { app: string }) => this.update(e.app);
    this.off = [
      registry.on('error', update),
      registry.on('swap', update),
      registry.on('files', update),
    ];
  }

  /** `FILE:LINE` of the app's first stale module (the `x-hotpub-stale` value), if any. */
  header(app: string): string | undefined {
    const first = this.byApp.get(app)?.[0];
    if (first === undefined) return undefined;
    // encodeURI: a header value must be Latin-1; a file name may not be.
    return encodeURI(first.line === undefined ? first.file : `${first.file}:${first.line}`);
  }

  /** Every stale module of every app. */
  all(): StaleModule[] {
    return [...this.byApp.values()].flat();
  }

  /** Stops following the registry. */
  close(): void {
    for (const off of this.off.splice(0)) off();
  }

  private update(app: string): void {
    if (app === '') return;
    const info = this.registry.snapshot().apps.find((a) => a.name === app);
    const stale: StaleModule[] = [];
    const seen = new Set<string>();
    for (const m of info?.modules ?? []) {
      if (m.state !== 'error' || m.generation === 0 || m.lastError === undefined) continue;
      const at = m.lastError.location;
      // An importer is blamed with the error of the file that broke: report that once.
      const key = `${at?.file ?? m.file}:${at?.line}:${m.lastError.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      stale.push({
        app,
        file: relative(this.registry.root, at?.file ?? m.file)
          .split('\\')
          .join('/'),
        line: at?.line,
        code: m.lastError.code,
        message: m.lastError.message,
      });
    }
    if (stale.length > 0) this.byApp.set(app, stale);
    else this.byApp.delete(app);
  }
}
