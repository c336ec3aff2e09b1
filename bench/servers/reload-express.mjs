// Express 5 whose route calls `handler()` from a statically imported module: the
// restart-on-change baseline, run under nodemon (this file) or `tsx watch` (copied as .ts).
import express from 'express';
import { handler } from './handler.mjs';

const port = Number(process.env.PORT);
const app = express();
app.get('/', (_req, res) => {
  res.send(handler());
});
app.listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
