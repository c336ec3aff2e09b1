/**
 * The dashboard's log of recent changes: every swap (a module loaded or reloaded, with how
 * long it took), failed load or reload, freeze and unfreeze, and `POST /-/reload`, newest
 * last, the oldest dropped past {@link CHANGE_LOG_SIZE}. Paths are relative to the apps
 * directory.
 */
import { relative } from 'node:path';
import type { ModuleErrorInfo, ModuleRegistry, RegistryEvents } from '../registry/types.js';

/** How many changes the log keeps. */
export const CHANGE_LOG_SIZE = 200;

/** Where an error happened, relative to the apps directory. */
export interface ChangeError {
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** Code frame (under `--dev`). */
  frame?: string;
}

/** One line of the log. */
export interface ChangeEntry {
  /** Increasing number: a client that has seen entry N needs only those after it. */
  id: number;
  /** When, as an ISO date. */
  at: string;
  app: string;
  kind: 'swap' | 'error' | 'freeze' | 'unfreeze' | 'reload';
  /** The app's generation after the change (swaps). */
  generation?: number;
  files: string[];
  /** Milliseconds from reading the change to the swap, lock wait included. */
  ms?: number;
  error?: ChangeError;
  /** Free text (reload summaries). */
  note?: string;
}

type NewEntry = Omit<ChangeEntry, 'id' | 'at'>;

/** The log, fed by the registry's events. */
export class ChangeLog {
  private readonly entries: ChangeEntry[] = [];
  private next = 1;
  private readonly off: Array<() => void>;

  /** @param onEntry called after each new entry (the event stream pushes it) */
  constructor(
    private readonly registry: ModuleRegistry,
    private readonly onEntry: (entry: ChangeEntry) => void,
  ) {
    this.off = [
      registry.on('swap', (e) => this.onSwap(e)),
      registry.on('error', (e) => this.onError(e)),
      registry.on('freeze', (e) => this.onFreeze(e)),
    ];
  }

  /** Every entry kept, oldest first. */
  list(): ChangeEntry[] {
    return [...this.entries];
  }

  /** Adds an entry (also used for `POST /-/reload`). */
  add(entry: NewEntry): ChangeEntry {
    const full: ChangeEntry = { id: this.next++, at: new Date().toISOString(), ...entry };
    this.entries.push(full);
    if (this.entries.length > CHANGE_LOG_SIZE) this.entries.shift();
    this.onEntry(full);
    return full;
  }

  /** Stops following the registry. */
  close(): void {
    for (const off of this.off.splice(0)) off();
  }

  /** A path relative to the apps directory, `/`-separated. */
  rel(file: string): string {
    return (relative(this.registry.root, file) || file).split('\\').join('/');
  }

  private onSwap(e: RegistryEvents['swap']): void {
    this.add({
      app: e.app,
      kind: 'swap',
      generation: e.generation,
      files: e.files.map((f) => this.rel(f)),
      ...(e.ms === undefined ? {} : { ms: e.ms }),
    });
  }

  /** A module error as the dashboard shows it: relative paths, the location said once. */
  error(err: Omit<ModuleErrorInfo, 'cause'>): ChangeError {
    let message = err.message;
    const at = err.location;
    const prefix = at && `${at.file}:${at.line}:${at.column}: `;
    if (prefix && message.startsWith(prefix)) message = message.slice(prefix.length);
    const error: ChangeError = { code: err.code, message };
    if (at) {
      error.file = this.rel(at.file);
      error.line = at.line;
      error.column = at.column;
    }
    if (err.frame) error.frame = err.frame;
    return error;
  }

  private onError(e: RegistryEvents['error']): void {
    this.add({ app: e.app, kind: 'error', files: [this.rel(e.file)], error: this.error(e.error) });
  }

  private onFreeze(e: RegistryEvents['freeze']): void {
    this.add({
      app: e.app,
      kind: e.frozen ? 'freeze' : 'unfreeze',
      files: e.held.map((f) => this.rel(f)),
    });
  }
}
