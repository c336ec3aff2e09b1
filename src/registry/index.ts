/**
 * The locked module registry: `createRegistry(options)` and what app modules and the
 * publisher use with it.
 */
import { LockedModuleRegistry } from './module-registry.js';
import type { ModuleRegistry, RegistryOptions } from './types.js';

export { ModuleLoadError, RegistryError, RegistryErrorCode } from './errors.js';
export { keep } from './hot-context.js';
export { isAppName, isSegment, SEGMENT_RE } from './names.js';
export type * from './types.js';

/**
 * Creates the module registry for an apps directory. Call `start()` once before use and
 * `close()` at shutdown.
 *
 * @example
 * const registry = createRegistry({ root: 'apps', watch: true });
 * await registry.start();
 * const file = registry.findFile('blog', 'posts');
 * if (file) await registry.ensureModule(file);
 * const pin = registry.tryAcquire('blog') ?? (await registry.acquire('blog'));
 * try { (pin.exportsOf(file!)?.list as Function)?.({}, {}); } finally { pin.release(); }
 */
export function createRegistry(options: RegistryOptions): ModuleRegistry {
  return new LockedModuleRegistry(options);
}
