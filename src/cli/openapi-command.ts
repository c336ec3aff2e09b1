/**
 * `hotpub openapi`: the OpenAPI 3.1 document of every published function, the one the
 * server's `/-/openapi.json` serves, written to a file or stdout, from a registry that is
 * started without watching and closed afterwards.
 */
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { pino } from 'pino';
import { buildOpenApi } from '../control/index.js';
import { ErrorCode, HotpubError } from '../errors/index.js';
import { startPublisher } from '../server/index.js';
import type { ServeFlags } from './args.js';
import type { CliIo } from './io.js';
import { resolveServeSettings } from './serve-options.js';

/**
 * Writes the document to `out` (relative to the cwd) or prints it. Fails with
 * `moduleLoad` (exit 1, nothing written) when a module does not load: a
 * document without its functions would pass for a complete one.
 */
export async function openapiCommand(
  io: CliIo,
  flags: Pick<ServeFlags, 'apps' | 'config'>,
  out: string | undefined,
): Promise<void> {
  const settings = await resolveServeSettings(flags, io.cwd, { ...io.env, PORT: undefined });
  const { registry, publisher } = await startPublisher({
    apps: settings.apps,
    logger: pino({ level: 'silent' }),
  });
  try {
    const routes = await publisher.routes();
    const failed = routes.filter((r) => r.name === undefined);
    const first = failed[0];
    if (first !== undefined) {
      const file = relative(io.cwd, first.file) || first.file;
      const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
      throw new HotpubError(ErrorCode.moduleLoad, `${file} failed to load: ${first.error}${more}`);
    }
    const text = `${JSON.stringify(buildOpenApi(routes, { root: registry.root }), null, 2)}\n`;
    if (out === undefined) {
      io.out(text.trimEnd());
      return;
    }
    const target = resolve(io.cwd, out);
    await writeFile(target, text);
    io.out(`hotpub: wrote ${relative(io.cwd, target) || target}`);
  } finally {
    await registry.close();
  }
}
