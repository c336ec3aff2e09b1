// The deploy part's load generator, in its own process (pinned to the load core with the
// harness): `connections` keep-alive loops of GET, each answer checked for its release
// (`<n>:<n>`; `<n>:X` is mixed). Records, per answer, when it started, its latency and
// its release (0: failed), and answers the harness over IPC.
import http from 'node:http';

const now = () => performance.timeOrigin + performance.now();
let running = false;
let agent;
const started = [];
const latency = [];
const release = [];
let failed = 0;
let mixed = 0;
/** The first few failed answers, to say what failed. */
const samples = [];
const waiters = [];
let streak = { n: 0, count: 0 };

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve(res.statusCode === 200 ? body : `${res.statusCode} ${body}`));
      res.on('error', (err) => resolve(`response error ${err.code ?? err.message}`));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(`request error ${err.code ?? err.message}`));
  });
}

function record(t0, body) {
  const m = /^(\d+):(\d+|X)$/.exec(body);
  let n = 0;
  if (!m) {
    failed++;
    if (samples.length < 5) samples.push(body.slice(0, 160));
  } else if (m[2] !== m[1]) mixed++;
  else n = Number(m[1]);
  started.push(t0);
  latency.push(now() - t0);
  release.push(n);
  streak = n === streak.n ? { n, count: streak.count + 1 } : { n, count: 1 };
  for (const w of [...waiters]) {
    if (streak.n === w.n && streak.count >= w.count) {
      waiters.splice(waiters.indexOf(w), 1);
      w.done(true);
    }
  }
  return n;
}

async function loop(url) {
  while (running) {
    const t0 = now();
    const n = record(t0, await get(url));
    // A refused connection comes back at once: pace the retries like a client would.
    if (n === 0) await new Promise((r) => setTimeout(r, 10));
  }
}

process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    agent = new http.Agent({ keepAlive: true, maxSockets: msg.connections });
    running = true;
    for (let i = 0; i < msg.connections; i++) void loop(msg.url);
    process.send({ id: msg.id, result: now() });
  } else if (msg.cmd === 'now') {
    process.send({ id: msg.id, result: now() });
  } else if (msg.cmd === 'waitFor') {
    // Resolves once `count` answers in a row are of release `n` (or after `timeoutMs`).
    const ok = await new Promise((done) => {
      const w = { n: msg.n, count: msg.count, done };
      waiters.push(w);
      setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        done(false);
      }, msg.timeoutMs);
    });
    process.send({ id: msg.id, result: ok });
  } else if (msg.cmd === 'stop') {
    running = false;
    await new Promise((r) => setTimeout(r, 200));
    agent?.destroy();
    process.send({
      id: msg.id,
      result: { started, latency, release, failed, mixed, samples: [...samples] },
    });
    started.length = 0;
    latency.length = 0;
    release.length = 0;
    failed = 0;
    mixed = 0;
    samples.length = 0;
  }
});
