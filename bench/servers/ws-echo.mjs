// The `ws` package alone: a node:http server whose WebSocketServer echoes every message
// (the ceiling for hotpub's WebSocket functions). GET / answers 200 for readiness.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
