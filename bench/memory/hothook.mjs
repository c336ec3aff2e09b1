// hot-hook's in-process reload. Its own watcher would add the file-event latency to
// every one of the 1,000 reloads, so changes are sent the way an external watcher does
// (`watch: false` + a 'hot-hook:file-changed' message); the reload path is the same.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { hot } from 'hot-hook';
import { expectToken, measure } from './common.mjs';

await hot.init({ root: import.meta.filename, watch: false, boundaries: [] });
const [dir, reloads] = [process.argv[2], Number(process.argv[3])];
const file = path.join(dir, 'big.mjs');
const url = pathToFileURL(file).href;
const importHot = () => import(url, { with: { hot: 'true' } });

await measure(
  file,
  reloads,
  async () => expectToken((await importHot()).token(), 0),
  async (n) => {
    process.emit('message', { type: 'hot-hook:file-changed', path: file, action: 'change' });
    const want = `tok-${n}:`;
    for (let i = 0; i < 5000; i++) {
      const got = (await importHot()).token();
      if (got.startsWith(want)) return expectToken(got, n);
      await sleep(1);
    }
    throw new Error(`hot-hook never served reload ${n}`);
  },
);
