/**
 * `hotpub routes`: every URL -> file#function, from the publisher's `routes()` over a
 * registry that is started without watching and closed afterwards.
 */
import { relative } from 'node:path';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { startPublisher } from '../server/index.js';
import type { ServeFlags } from './args.js';
import type { CliIo } from './io.js';
import { createLogger } from './process/index.js';
import { resolveServeSettings } from './serve-options.js';

/**
 * Prints one line per route: `URL  ->  file#function  [methods]`, marking unreachable
 * (shadowed) ones. Modules that fail to load are listed with their error, and so are
 * functions whose `fn.methods`, guards or `fn.schema` would fail every request; then the
 * command fails (exit 1) with one line naming the first file#function at fault.
 */
export async function routesCommand(
  io: CliIo,
  flags: Pick<ServeFlags, 'apps' | 'config'>,
): Promise<void> {
  // Checks the apps directory too; PORT is irrelevant here and must not fail the listing.
  const settings = await resolveServeSettings(flags, io.cwd, { ...io.env, PORT: undefined });
  const { registry, publisher, storage } = await startPublisher({
    apps: settings.apps,
    logger: await createLogger(false),
    // Listing loads modules but serves nothing: it must not open the server's storage.
    storage: { driver: 'memory' },
  });
  try {
    const routes = await publisher.routes();
    const rows = routes.map((r) => {
      const file = relative(io.cwd, r.file) || r.file;
      if (r.name === undefined)
        return [r.url, `${file}`, `failed to load: ${r.error ?? 'unknown error'}`];
      if (r.problem !== undefined) return [r.url, `${file}#${r.name}`, `invalid: ${r.problem}`];
      return [
        r.url,
        `${file}#${r.name}`,
        `[${r.methods.join(', ')}]${r.shadowed ? ' (shadowed: never reached)' : ''}`,
      ];
    });
    const width = Math.max(0, ...rows.map((row) => row[0]!.length));
    const fileWidth = Math.max(0, ...rows.map((row) => row[1]!.length));
    for (const [url, target, note] of rows)
      io.out(`${url!.padEnd(width)}  ->  ${target!.padEnd(fileWidth)}  ${note}`.trimEnd());
    if (rows.length === 0)
      io.out(
        `no routes: no app under ${relative(io.cwd, settings.apps) || '.'} publishes a function`,
      );
    const failed = routes.filter((r) => r.name === undefined).length;
    if (failed > 0)
      throw new HotpubError(
        ErrorCode.moduleLoad,
        `${failed} module(s) failed to load (listed above)`,
      );
    const invalid = routes.filter((r) => r.problem !== undefined);
    const first = invalid[0];
    if (first !== undefined) {
      const where = `${relative(io.cwd, first.file) || first.file}#${first.name}`;
      const more = invalid.length > 1 ? ` (and ${invalid.length - 1} more, listed above)` : '';
      throw new HotpubError(ErrorCode.routeInvalid, `${where}: ${first.problem}${more}`);
    }
  } finally {
    await registry.close();
    await storage.close();
  }
}
