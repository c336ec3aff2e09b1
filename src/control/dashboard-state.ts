/**
 * What the dashboard shows, as one JSON value: every app (mounted apps and the registry's
 * other lock domains, such as `_shared`) with its mount, generation, in-flight requests,
 * reload state and modules; each module with its generation, evaluations, state, imports
 * (the dependency graph) and last error; and the change log. Read from the registry's
 * snapshot, which takes no lock.
 */
import type { MountedApp, RouteListing } from '../publisher/index.js';
import type { ModuleRegistry } from '../registry/types.js';
import type { ChangeEntry, ChangeError, ChangeLog } from './change-log.js';

/** What the control plane reads; undefined while the server is still starting. */
export interface ControlSource {
  registry: ModuleRegistry;
  publisher: {
    readonly apps: readonly MountedApp[];
    routes(): Promise<RouteListing[]>;
  };
}

/** One module as the dashboard shows it (paths relative to the apps directory). */
export interface DashboardModule {
  file: string;
  generation: number;
  evaluations: number;
  inflight: number;
  state: string;
  imports: string[];
  lastError?: ChangeError;
}

/** One app as the dashboard shows it. */
export interface DashboardApp {
  name: string;
  /** Its mount pattern; undefined for a lock domain that is not an app (`_shared`). */
  mount?: string;
  /** True when the mount has parameters (no single URL to link to). */
  patterned: boolean;
  generation: number;
  inflight: number;
  reloadPending: boolean;
  frozen: boolean;
  held: string[];
  /** True when a module's latest save failed and its last good code serves. */
  stale: boolean;
  modules: DashboardModule[];
}

/** The whole dashboard. */
export interface DashboardState {
  dev: boolean;
  apps: DashboardApp[];
  log: ChangeEntry[];
}

/** Reads the dashboard's state now. */
export function dashboardState(
  source: ControlSource,
  log: ChangeLog,
  dev: boolean,
): DashboardState {
  const snap = source.registry.snapshot();
  const mounts = new Map(source.publisher.apps.map((a) => [a.name, a.mount]));
  const names = new Set([...mounts.keys(), ...snap.apps.map((a) => a.name)]);
  const byName = new Map(snap.apps.map((a) => [a.name, a]));
  const apps: DashboardApp[] = [...names].sort().map((name) => {
    const info = byName.get(name);
    const mount = mounts.get(name);
    const modules = (info?.modules ?? []).map((m): DashboardModule => {
      const out: DashboardModule = {
        file: log.rel(m.file),
        generation: m.generation,
        evaluations: m.evaluations,
        inflight: m.inflight,
        state: m.state,
        imports: m.imports.map((f) => log.rel(f)),
      };
      if (m.lastError) out.lastError = log.error(m.lastError);
      return out;
    });
    return {
      name,
      ...(mount === undefined ? {} : { mount }),
      patterned: mount !== undefined && /[:{*]/.test(mount),
      generation: info?.generation ?? 0,
      inflight: info?.inflight ?? 0,
      reloadPending: info?.reloadPending ?? false,
      frozen: info?.frozen ?? false,
      held: (info?.held ?? []).map((f) => log.rel(f)),
      stale: modules.some((m) => m.state === 'error' && m.generation > 0),
      modules,
    };
  });
  return { dev, apps, log: log.list() };
}
