/**
 * What docs/configuration.md ("hotpub as a library") promises: the server the CLI builds
 * can be built from hotpub's public exports alone (this file imports nothing else of
 * src/): a registry, a publisher over it that hears its events, and node:http. App
 * modules get `keep` and `HttpError` from 'hotpub', and a save is served after reload.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as hotpub from '../../src/index.js';
import { writeFiles } from '../helpers/files.js';
import { tempApps, testLogger } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const POSTS = (greeting: string) => `import { HttpError, keep } from 'hotpub';
const seen = keep('seen', () => ({ n: 0 }));
export function show(args: { id?: string }) {
  if (args.id !== '1') throw new HttpError(404, 'no post ' + args.id);
  seen.n++;
  return { greeting: '${greeting}', seen: seen.n };
}`;

describe('the public API builds the server', () => {
  let apps: Awaited<ReturnType<typeof tempApps>>;
  let registry: hotpub.ModuleRegistry;
  let server: Server;
  let url: string;

  before(async () => {
    apps = await tempApps({ 'blog/posts.ts': POSTS('hello') });
    registry = hotpub.createRegistry({ root: apps.dir, watch: true, hotpub });
    await registry.start();
    const publisher = hotpub.createPublisher({ registry, logger: testLogger() });
    server = createServer(publisher.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await registry.close();
    await apps.cleanup();
  });

  it('serves a function, and its HttpError from hotpub', async () => {
    const r = await fetch(`${url}/blog/posts/show?id=1`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { greeting: 'hello', seen: 1 });
    const missing = await fetch(`${url}/blog/posts/show?id=2`);
    assert.equal(missing.status, 404);
    assert.equal(
      ((await missing.json()) as { error: { message: string } }).error.message,
      'no post 2',
    );
  });

  it('serves the new code after a save, with the state it kept', async () => {
    await writeFiles(apps.dir, { 'blog/posts.ts': POSTS('bonjour') });
    const body = await waitFor(
      async () => {
        const b = (await (await fetch(`${url}/blog/posts/show?id=1`)).json()) as {
          greeting: string;
          seen: number;
        };
        return b.greeting === 'bonjour' && b;
      },
      { message: 'the new code' },
    );
    assert.ok(body.seen >= 2, `keep() kept the count: ${body.seen}`);
  });
});
