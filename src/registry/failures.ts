/**
 * Failure bookkeeping: which module a failed load or reload is recorded on, the `error`
 * event that reports it, and the errors the registry raises itself (closed, outside the
 * root, unreadable file).
 */
import { errorInfo, ModuleLoadError, RegistryError, RegistryErrorCode } from './errors.js';
import type { ModuleStore } from './module-store.js';
import type { ModuleErrorInfo } from './types.js';

/** Records `info` as the latest failure of `file` and emits `error`. */
export function recordFailure(store: ModuleStore, file: string, info: ModuleErrorInfo): void {
  const rec = store.record(file);
  rec.fail(info, store.changes);
  store.events.emit('error', { app: rec.app, file, error: info });
}

/**
 * Records a failed evaluation on the module that broke (the file a `ModuleLoadError`
 * names) and on `blamed` (what the load or reload was for); returns the error info.
 */
export function blame(
  store: ModuleStore,
  err: unknown,
  blamed: readonly string[],
): ModuleErrorInfo {
  const e = err instanceof ModuleLoadError ? err : undefined;
  const info = e?.toInfo() ?? errorInfo(RegistryErrorCode.evaluate, String(err), err);
  for (const f of new Set(e ? [e.file, ...blamed] : blamed)) recordFailure(store, f, info);
  return info;
}

/** The error info of a file that could not be read. */
export function readError(file: string, err: unknown): ModuleErrorInfo {
  const msg = err instanceof Error ? err.message : String(err);
  return errorInfo(RegistryErrorCode.read, `cannot read ${file}: ${msg}`, err);
}

/** What a load of a file outside the apps root rejects with. */
export function outsideRootError(store: ModuleStore, file: string): ModuleLoadError {
  return new ModuleLoadError(file, {
    code: RegistryErrorCode.outsideRoot,
    message: `${file} is not under the apps root ${store.root}`,
  });
}

/** What any call on a closed registry rejects with. */
export function closedError(): RegistryError {
  return new RegistryError(RegistryErrorCode.closed, 'the module registry is closed');
}
