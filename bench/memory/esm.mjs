// Node's own ESM loader reloading by query string: import('file?v=N').
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expectToken, measure } from './common.mjs';

const [dir, reloads] = [process.argv[2], Number(process.argv[3])];
const file = path.join(dir, 'big.mjs');
const url = pathToFileURL(file).href;
const load = async (n) => expectToken((await import(`${url}?v=${n}`)).token(), n);
await measure(file, reloads, () => load(0), load);
