/**
 * A real server as `hotpub serve` runs it (runServer: the control plane included) on a
 * temp apps directory, for the /-/ tests.
 */
import { join } from 'node:path';
import {
  type RunningServer,
  type RunServerOptions,
  runServer,
} from '../../src/cli/process/index.js';
import { writeFiles } from '../helpers/files.js';
import { tempApps } from '../helpers/server.js';

/** A running control-plane test server. */
export interface ControlServer {
  url: string;
  dir: string;
  server: RunningServer;
  /** Log lines (JSON) written so far. */
  lines: string[];
  fetch(path: string, init?: RequestInit): Promise<Response>;
  write(rel: string, content: string): Promise<void>;
  file(rel: string): string;
  close(): Promise<void>;
}

/** Starts runServer on a temp apps directory with `files`. */
export async function startControl(
  files: Record<string, string>,
  options: Partial<RunServerOptions> = {},
): Promise<ControlServer> {
  const { dir, cleanup } = await tempApps(files);
  const lines: string[] = [];
  let server: RunningServer;
  try {
    server = await runServer({
      apps: dir,
      port: 0,
      host: '127.0.0.1',
      watch: false,
      dev: false,
      admin: false,
      drainTimeoutMs: 5000,
      shutdownTimeoutMs: 5000,
      bodyLimit: 1024 * 1024,
      log: { level: 'info', requests: false, pretty: false },
      logDest: { write: (line: string) => lines.push(line) },
      ...options,
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    url: server.url,
    dir,
    server,
    lines,
    fetch: (path, init) => fetch(server.url + path, init),
    write: (rel, content) => writeFiles(dir, { [rel]: content }),
    file: (rel) => join(dir, rel),
    async close() {
      try {
        await server.close();
      } finally {
        await cleanup();
      }
    },
  };
}

/** `Authorization: Bearer token`. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A token long enough for --admin-token. */
export const TOKEN = 'test-token-0123456789abcdef';

/**
 * Reads server-sent events from `path` until `until(state)` holds for a `state` event
 * (resolves with it) or the stream ends (rejects). Aborts the stream afterwards.
 */
export async function readState<T>(
  url: string,
  headers: Record<string, string>,
  until: (state: T) => boolean,
  opened?: () => void | Promise<void>,
): Promise<T> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  if (res.status !== 200 || res.body === null) throw new Error(`events answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let first = true;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (!block.includes('event: state') || data === '') continue;
        const state = JSON.parse(data) as T;
        if (first) {
          first = false;
          await opened?.();
        }
        if (until(state)) return state;
      }
    }
  } finally {
    abort.abort();
  }
}
