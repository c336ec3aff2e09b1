// The load generator: autocannon in its own process (pinned to the load core by the
// harness), driven over IPC so one warm process serves every run of a part.
import autocannon from 'autocannon';

let current = null;

function summarize(r) {
  const seconds = r.duration || 1;
  return {
    rps: r.requests.total / seconds,
    ok: r['2xx'],
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    resets: r.resets,
    p50: r.latency.p50,
    p99: r.latency.p99,
    latencyAvg: r.latency.average,
    duration: seconds,
  };
}

function launch(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      { connections: 50, pipelining: 1, timeout: 10, ...opts },
      (err, result) => (err ? reject(err) : resolve(summarize(result))),
    );
    current = inst;
  });
}

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'run') {
      const result = await launch(msg.opts);
      process.send({ id: msg.id, result });
    } else if (msg.cmd === 'start') {
      // Open-ended load: answered when `stop` ends it.
      const done = launch({ duration: 3600, ...msg.opts });
      process.send({ id: msg.id, result: 'started' });
      const result = await done;
      process.send({ id: msg.stopId, result });
    } else if (msg.cmd === 'stop') {
      current?.stop();
    }
  } catch (err) {
    process.send({ id: msg.id, error: String(err?.stack ?? err) });
  }
});
