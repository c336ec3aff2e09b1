// Express 5 with ROUTES routes (/r0 ... /r{N-1}); the bench hits the last one.
import express from 'express';

const port = Number(process.env.PORT);
const routes = Number(process.env.ROUTES ?? 1);
const app = express();
for (let i = 0; i < routes; i++) {
  app.get(`/r${i}`, (_req, res) => {
    res.send('Hello World!');
  });
}
app.listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
