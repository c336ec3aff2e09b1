// hotpub's lean server (createServer from dist/) twice in one process: code lock on at
// PORT, off at PORT2 (RegistryOptions.codeLock false: inner functions called directly).
// One process for both, so both see the same JIT and heap decisions of that process.
import { pino } from 'pino';
import { createServer } from '../../dist/index.js';

const common = { apps: process.env.APPS, host: '127.0.0.1', logger: pino({ level: 'warn' }) };
const on = await createServer({ ...common, port: Number(process.env.PORT), codeLock: true });
const off = await createServer({ ...common, port: Number(process.env.PORT2), codeLock: false });
console.log(`ready lock on ${on.url}, lock off ${off.url}`);
