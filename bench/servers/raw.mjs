// The ceiling: node:http answering a small text response.
import http from 'node:http';

const port = Number(process.env.PORT);
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Hello World!');
  })
  .listen(port, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${port}`));
