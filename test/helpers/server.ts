/**
 * THE shared test helper: a real hotpub server on a temp apps directory.
 *
 *   const s = await startServer({ files: { 'blog/index.ts': 'export function index() { return "hi"; }' } });
 *   const res = await s.fetch('/blog');
 *   await s.close();
 */
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createServer, type HotpubServer, type ServeOptions } from '../../src/server/serve.js';
import { writeFiles } from './files.js';

/** Options: the files of the apps directory plus any server option but `apps`. */
export interface StartOptions extends Partial<Omit<ServeOptions, 'apps'>> {
  /** Paths relative to the apps directory -> content, e.g. `{ 'blog/index.ts': '...' }`. */
  files?: Record<string, string | Uint8Array>;
}

/** A raw HTTP answer. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Real path of the temp apps directory. */
  dir: string;
  /** The server (registry, publisher, node:http server). */
  server: HotpubServer;
  /** `fetch(url + path)`; note fetch normalizes `..`, `%2e` and `\` in paths: use `raw`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Sends `path` byte for byte (no URL normalization), for traversal tests. */
  raw(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
  ): Promise<RawResponse>;
  /** Writes (creates or replaces) a file under the apps directory. */
  write(rel: string, content: string | Uint8Array): Promise<void>;
  /** Removes a file or directory under the apps directory. */
  remove(rel: string): Promise<void>;
  /** Closes the server and deletes the temp directory. */
  close(): Promise<void>;
}

/** Makes a temp apps directory with `files`; returns its real path and a cleanup. */
export async function tempApps(
  files: Record<string, string | Uint8Array> = {},
): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const tmp = await realpath(await mkdtemp(join(tmpdir(), 'hotpub-test-')));
  const dir = join(tmp, 'apps');
  await mkdir(dir, { recursive: true });
  await writeFiles(dir, files);
  return { dir, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}

/** A logger that is silent unless HOTPUB_TEST_LOG is set (to a pino level). */
export function testLogger() {
  return pino({ level: process.env.HOTPUB_TEST_LOG ?? 'silent' });
}

/** Sends one request with the path exactly as given. */
export function rawRequest(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, path, method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Starts a hotpub server on a temp apps directory holding `files`. */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const { files = {}, ...serveOptions } = options;
  const { dir, cleanup } = await tempApps(files);
  let server: HotpubServer;
  try {
    server = await createServer({
      host: '127.0.0.1',
      port: 0,
      logger: testLogger(),
      ...serveOptions,
      apps: dir,
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const url = server.url;
  return {
    url,
    dir,
    server,
    fetch: (path, init) => fetch(url + path, init),
    raw: (path, init) => rawRequest(url, path, init),
    write: (rel, content) => writeFiles(dir, { [rel]: content }),
    remove: (rel) => rm(join(dir, rel), { recursive: true, force: true }),
    async close() {
      try {
        await server.close();
      } finally {
        await cleanup();
      }
    },
  };
}

/** Parsed JSON of a test response: loosely typed on purpose, assertions check the shape. */
// biome-ignore lint/suspicious/noExplicitAny: assertions check the shape of test JSON
export type Json = any;

/** The JSON body of a response. */
export async function json(r: Response): Promise<Json> {
  return (await r.json()) as Json;
}
