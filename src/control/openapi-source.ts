/**
 * `/-/openapi.json`, kept in step with the code: the cached document is dropped by the
 * registry's `swap` and `files` events, which the registry emits in the same synchronous
 * step that swaps the new generation in. So a request that arrives after a swap never gets
 * the document of the generation before it: it builds a new one from the pinned, current
 * code. A build that a swap overtakes is built again.
 */
import type { ModuleRegistry } from '../registry/types.js';
import type { ControlSource } from './dashboard-state.js';
import { buildOpenApi, type OpenApiDocument } from './openapi.js';

const MAX_BUILDS = 5;

/** The document of one registry and publisher, built on demand and cached until a swap. */
export class OpenApiSource {
  private version = 0;
  private cached: { version: number; doc: OpenApiDocument } | undefined;
  private building: { version: number; promise: Promise<OpenApiDocument> } | undefined;
  private readonly off: Array<() => void>;

  constructor(private readonly source: ControlSource) {
    const stale = () => {
      this.version++;
      this.cached = undefined;
    };
    const registry: ModuleRegistry = source.registry;
    this.off = [registry.on('swap', stale), registry.on('files', stale)];
  }

  /** The document for the code serving now. */
  async document(): Promise<OpenApiDocument> {
    let doc: OpenApiDocument | undefined;
    for (let i = 0; i < MAX_BUILDS; i++) {
      if (this.cached?.version === this.version) return this.cached.doc;
      const version = this.version;
      if (this.building?.version !== version) {
        const promise = this.build();
        this.building = { version, promise };
        promise.catch(() => {
          if (this.building?.promise === promise) this.building = undefined;
        });
      }
      doc = await this.building.promise;
      // Loading modules to list them swaps them in: the next round sees a stable set.
      if (version === this.version) {
        this.cached = { version, doc };
        return doc;
      }
    }
    return doc as OpenApiDocument;
  }

  /** Stops following the registry. */
  close(): void {
    for (const off of this.off.splice(0)) off();
  }

  private async build(): Promise<OpenApiDocument> {
    const routes = await this.source.publisher.routes();
    return buildOpenApi(routes, { root: this.source.registry.root });
  }
}
