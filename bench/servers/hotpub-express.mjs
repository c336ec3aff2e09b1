// hotpub as a router inside an Express 5 app: app.use('/x', publisher({ apps })).
import express from 'express';

// The public entry point; the router module itself until src/index.ts exports it.
const api = await import('../../dist/index.js');
const publisher = api.publisher ?? (await import('../../dist/server/router.js')).publisher;

const port = Number(process.env.PORT);
const app = express();
app.use('/x', publisher({ apps: process.env.APPS }));
app.listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
