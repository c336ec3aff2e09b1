/**
 * Spawns the real `bin/hotpub` (built by `npm run build`) and watches its output.
 * Every wait is a bounded poll on a condition, never a fixed sleep.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFiles } from './files.js';
import { WaitAborted, waitFor } from './wait.js';

/** Absolute path of `bin/hotpub`. */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'hotpub');

/** Generous bound for a loaded 2-core machine; only reached when something is wrong. */
export const TIMEOUT_MS = 30_000;

/** A running `bin/hotpub`. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in its stdout (or stderr), within TIMEOUT_MS. */
  printed(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** Resolves with the exit status (and signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it if it still runs and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `bin/hotpub args` in `cwd` (or another hotpub executable: `options.bin`), with
 * `options.nodeArgs` for node itself. `PORT` is removed from the environment unless given.
 */
export function startCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; bin?: string; nodeArgs?: string[] },
): CliProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!options.env || !('PORT' in options.env)) delete env.PORT;
  delete env.NODE_OPTIONS; // tsx's loader must not leak into the CLI under test
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.bin ?? BIN, ...args],
    {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  exited.then(() => {
    done = true;
  });
  const proc: CliProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    printed(pattern, stream = 'stdout') {
      return waitFor(
        () => {
          const m = (stream === 'stdout' ? out : err).match(pattern);
          if (m) return m;
          const seen = `stdout: ${out} stderr: ${err}`;
          if (done) throw new WaitAborted(`exited before ${pattern}; ${seen}`);
          throw new Error(seen); // the timeout's message shows what was printed by then
        },
        { timeoutMs: TIMEOUT_MS, message: String(pattern) },
      );
    },
    async stop() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
  return proc;
}

/** Runs `bin/hotpub args` to completion. */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = startCli(args, options);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), TIMEOUT_MS);
  const { code } = await proc.exited;
  clearTimeout(timer);
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** Waits for `bin/hotpub serve` to print its ready line; returns the URL in it. */
export async function readyUrl(proc: CliProcess): Promise<string> {
  const m = await proc.printed(/(http:\/\/[^\s)]+)/);
  return m[1]!;
}

/** A temp directory with `files` (relative path -> content). */
export async function tempProject(
  files: Record<string, string>,
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hotpub-cli-'));
  await writeFiles(dir, files);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A GET on a fresh connection (no keep-alive), so cluster workers take turns. */
export function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
