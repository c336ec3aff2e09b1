// Minimal HTTP client for polling (keep-alive, no library in the measured path).
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** GET `url`; resolves { status, body } or rejects on a network error / timeout. */
export function get(url, { timeoutMs = 5000, keepAlive = true } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: keepAlive ? agent : false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Drops pooled sockets (after a server restarted, say). */
export function resetAgent() {
  agent.destroy();
}
