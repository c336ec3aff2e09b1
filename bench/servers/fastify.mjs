// Fastify 5 with ROUTES routes (/r0 ... /r{N-1}); the bench hits the last one.
import Fastify from 'fastify';

const port = Number(process.env.PORT);
const routes = Number(process.env.ROUTES ?? 1);
const app = Fastify({ logger: false });
for (let i = 0; i < routes; i++) {
  app.get(`/r${i}`, async () => 'Hello World!');
}
await app.listen({ port, host: '127.0.0.1' });
console.log(`ready http://127.0.0.1:${port}`);
