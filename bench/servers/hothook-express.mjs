// Express 5 with hot-hook's in-process reload: the handler module is a hot boundary,
// imported per request (hot-hook's documented pattern), so a change is picked up
// without a restart. HANDLER is the absolute path of a module exporting `handler()`.
import { pathToFileURL } from 'node:url';
import express from 'express';
import { hot } from 'hot-hook';

await hot.init({ root: import.meta.filename, boundaries: [] });

const port = Number(process.env.PORT);
const handlerUrl = pathToFileURL(process.env.HANDLER).href;
const app = express();
app.get('/', async (_req, res) => {
  const { handler } = await import(handlerUrl, { with: { hot: 'true' } });
  res.send(handler());
});
app.listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
