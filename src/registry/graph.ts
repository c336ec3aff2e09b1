/**
 * The dependency graph between app modules, by real path: who imports whom, as of the
 * current instances. Holds file names only, never instances.
 */
export class ModuleGraph {
  private readonly importsOf = new Map<string, Set<string>>();
  private readonly importersOf = new Map<string, Set<string>>();

  /** Replaces the recorded imports of `file`. */
  setImports(file: string, imports: Iterable<string>): void {
    const next = new Set(imports);
    const prev = this.importsOf.get(file);
    if (prev) {
      for (const dep of prev) if (!next.has(dep)) this.importersOf.get(dep)?.delete(file);
    }
    for (const dep of next) {
      let set = this.importersOf.get(dep);
      if (!set) {
        set = new Set();
        this.importersOf.set(dep, set);
      }
      set.add(file);
    }
    this.importsOf.set(file, next);
  }

  /** Adds one import edge (a late `require`, e.g. from a dynamic `import()`). */
  addImport(file: string, dep: string): void {
    const imports = this.importsOf.get(file) ?? new Set<string>();
    if (imports.has(dep)) return;
    imports.add(dep);
    this.setImports(file, imports);
  }

  /** Forgets the imports of `file` (it was deleted); its importers keep their edges. */
  removeFile(file: string): void {
    this.setImports(file, []);
    this.importsOf.delete(file);
  }

  /** Forgets `file` entirely, as importer and as import (its release was retired). */
  forget(file: string): void {
    this.removeFile(file);
    this.importersOf.delete(file);
  }

  /** The app modules `file` imports. */
  imports(file: string): string[] {
    return [...(this.importsOf.get(file) ?? [])];
  }

  /** The modules that import `file` directly. */
  importers(file: string): string[] {
    return [...(this.importersOf.get(file) ?? [])];
  }

  /** `files` and every module that imports one of them, transitively (cycles included once). */
  withImporters(files: Iterable<string>): string[] {
    const seen = new Set<string>();
    const queue = [...files];
    while (queue.length > 0) {
      const f = queue.shift()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const imp of this.importersOf.get(f) ?? []) if (!seen.has(imp)) queue.push(imp);
    }
    return [...seen];
  }
}
