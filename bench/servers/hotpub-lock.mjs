// hotpub's lean server (createServer from dist/) with the code lock on or off
// (CODE_LOCK=off: RegistryOptions.codeLock false, inner functions called directly).
import { pino } from 'pino';
import { createServer } from '../../dist/server/serve.js';

const server = await createServer({
  apps: process.env.APPS,
  port: Number(process.env.PORT),
  host: '127.0.0.1',
  codeLock: process.env.CODE_LOCK !== 'off',
  logger: pino({ level: 'warn' }),
});
console.log(`ready ${server.url} codeLock=${process.env.CODE_LOCK !== 'off'}`);
