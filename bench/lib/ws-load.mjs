// WebSocket load from the harness: connections that keep a window of messages in
// flight and count the echoes, and a probe that times each message across reloads.
import { WebSocket } from 'ws';

/** Opens `n` connections to `url`; resolves the sockets once all are open. */
export async function openMany(url, n) {
  const sockets = [];
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    sockets.push(ws);
  }
  return sockets;
}

/**
 * Echo throughput: `connections` sockets, each keeping `window` messages in flight,
 * for `seconds`; resolves { rate: messages answered per second, answered }.
 */
export async function echoRate(url, { connections = 16, window = 16, seconds = 1.5 } = {}) {
  const sockets = await openMany(url, connections);
  const payload = JSON.stringify({ n: 1, text: 'hello hotpub' });
  let answered = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', () => {
      answered++;
      if (running) ws.send(payload);
    });
  }
  const t0 = performance.now();
  for (const ws of sockets) for (let i = 0; i < window; i++) ws.send(payload);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  running = false;
  const elapsed = (performance.now() - t0) / 1000;
  const counted = answered;
  for (const ws of sockets) ws.terminate();
  return { rate: counted / elapsed, answered: counted };
}

/**
 * Sends numbered messages on `connections` sockets, one every `gapMs` per socket, until
 * `stop()`; each reply `{ v, n }` is matched to its message. Resolves, once stopped and
 * drained, every message with its send time, reply time and the version that answered.
 */
export function probe(url, { connections = 4, gapMs = 2 } = {}) {
  const sent = [];
  let stopped = false;
  let sockets = [];
  const ready = openMany(url, connections).then((s) => {
    sockets = s;
    s.forEach((ws, c) => {
      ws.on('message', (data) => {
        const r = JSON.parse(String(data));
        const m = sent[r.n];
        if (m && m.c === c) {
          m.at = performance.now();
          m.v = r.v;
        }
      });
      const tick = () => {
        if (stopped) return;
        const n = sent.length;
        sent.push({ n, c, t: performance.now(), at: undefined, v: undefined });
        ws.send(JSON.stringify({ n }));
        setTimeout(tick, gapMs);
      };
      tick();
    });
  });
  return {
    ready,
    async stop() {
      stopped = true;
      const deadline = performance.now() + 5000;
      while (sent.some((m) => m.at === undefined) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const ws of sockets) ws.terminate();
      return sent;
    },
  };
}
