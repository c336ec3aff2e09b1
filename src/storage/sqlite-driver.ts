/**
 * hotpub's default storage driver: an unstorage driver on one SQLite file (better-sqlite3),
 * by default `.data/hotpub.sqlite` in the working directory. Every `--workers` process opens
 * the same file: SQLite's locking makes each write atomic, WAL lets readers go on while one
 * process writes, and a busy timeout makes a writer wait for another instead of failing.
 * Values may carry a time to live (`setItem(k, v, { ttl: seconds })`, as with Redis).
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Driver } from 'unstorage';

/** Options of {@link sqliteDriver}. */
export interface SqliteDriverOptions {
  /** The database file (absolute, or relative to the cwd); its directory is created. */
  path: string;
  /** Longest wait in ms for another process's write to finish. Default 5000. */
  busyTimeoutMs?: number;
}

type Statement = BetterSqlite3.Statement;

/** How often expired values are deleted (they are never read once expired). */
const PURGE_EVERY_MS = 10 * 60_000;

/** The smallest string greater than every string that starts with `prefix`. */
function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

class SqliteStore {
  private readonly db: BetterSqlite3.Database;
  private readonly get: Statement;
  private readonly has: Statement;
  private readonly put: Statement;
  private readonly del: Statement;
  private readonly keys: Statement;
  private readonly allKeys: Statement;
  private readonly delRange: Statement;
  private readonly purge: Statement;
  private readonly timer: NodeJS.Timeout;

  constructor(options: SqliteDriverOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    // Loaded at the first use of storage, not at start-up (it is a native module).
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    const db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER) WITHOUT ROWID',
    );
    const live = '(expires IS NULL OR expires > ?)';
    this.get = db.prepare(`SELECT value FROM kv WHERE key = ? AND ${live}`).pluck();
    this.has = db.prepare(`SELECT 1 FROM kv WHERE key = ? AND ${live}`).pluck();
    this.put = db.prepare(
      'INSERT INTO kv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires',
    );
    this.del = db.prepare('DELETE FROM kv WHERE key = ?');
    this.keys = db.prepare(`SELECT key FROM kv WHERE key >= ? AND key < ? AND ${live}`).pluck();
    this.allKeys = db.prepare(`SELECT key FROM kv WHERE ${live}`).pluck();
    this.delRange = db.prepare('DELETE FROM kv WHERE key >= ? AND key < ?');
    this.purge = db.prepare('DELETE FROM kv WHERE expires <= ?');
    this.purge.run(Date.now());
    this.timer = setInterval(() => this.purge.run(Date.now()), PURGE_EVERY_MS).unref();
  }

  getItem(key: string): string | null {
    return (this.get.get(key, Date.now()) as string | undefined) ?? null;
  }

  hasItem(key: string): boolean {
    return this.has.get(key, Date.now()) !== undefined;
  }

  setItem(key: string, value: string, ttl: number | undefined): void {
    const expires = ttl !== undefined && ttl > 0 ? Date.now() + ttl * 1000 : null;
    this.put.run(key, value, expires);
  }

  removeItem(key: string): void {
    this.del.run(key);
  }

  getKeys(base: string): string[] {
    const now = Date.now();
    return (base ? this.keys.all(base, prefixEnd(base), now) : this.allKeys.all(now)) as string[];
  }

  clear(base: string): void {
    if (base) this.delRange.run(base, prefixEnd(base));
    else this.db.exec('DELETE FROM kv');
  }

  close(): void {
    clearInterval(this.timer);
    this.db.close();
  }
}

/**
 * The SQLite driver. The file is opened at the first operation, once per driver (so once
 * per process: the server makes one driver and shares it across every reload).
 */
export function sqliteDriver(options: SqliteDriverOptions): Driver<SqliteDriverOptions, unknown> {
  let store: SqliteStore | undefined;
  const open = (): SqliteStore => {
    store ??= new SqliteStore(options);
    return store;
  };
  return {
    name: 'hotpub-sqlite',
    flags: { ttl: true },
    options,
    getInstance: open,
    hasItem: (key) => open().hasItem(key),
    getItem: (key) => open().getItem(key),
    setItem: (key, value, opts: { ttl?: number } | undefined) =>
      open().setItem(key, value, opts?.ttl),
    removeItem: (key) => open().removeItem(key),
    getKeys: (base) => open().getKeys(base ?? ''),
    clear: (base) => open().clear(base ?? ''),
    dispose() {
      store?.close();
      store = undefined;
    },
  };
}
