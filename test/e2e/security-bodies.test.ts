/**
 * Issue 13, finding 5: the body limit is counted on the raw bytes received, chunked and
 * multipart included, and over it is a 413 that every client can read — never a
 * truncated upload (the readable 413 under fetch is test/cli/cli-body-limit.test.ts).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';

const LIMIT = 1024 * 1024;
const BOUNDARY = 'XbOuNdArY';

/** Sends `head` then `body` as HTTP/1.1 chunks of 64 KiB on a fresh socket; resolves with all bytes received. */
function sendChunked(s: TestServer, head: string, body: Buffer): Promise<string> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1');
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no answer within 20 s'));
    }, 20_000);
    sock.on('data', (c: Buffer) => {
      got.push(c);
      // One answer is all we need: stop once its head has arrived.
      if (Buffer.concat(got).includes('\r\n\r\n')) sock.end();
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got).toString('latin1'));
    });
    sock.write(`${head}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
    const step = 64 * 1024;
    const writeFrom = (i: number): void => {
      while (i < body.length) {
        const part = body.subarray(i, i + step);
        i += step;
        const ok = sock.write(
          Buffer.concat([
            Buffer.from(`${part.length.toString(16)}\r\n`),
            part,
            Buffer.from('\r\n'),
          ]),
        );
        if (!ok) {
          sock.once('drain', () => writeFrom(i));
          return;
        }
      }
      sock.write('0\r\n\r\n');
    };
    writeFrom(0);
  });
}

function multipartHead(path: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n`;
}

describe('body limit on raw bytes (issue 13 #5)', () => {
  let s: TestServer;

  before(async () => {
    s = await startServer({
      bodyLimit: LIMIT,
      files: {
        't/up.ts': `export function index(args: Record<string, unknown>) {
  const f = args.f as { size: number } | undefined;
  return { size: f?.size ?? null, keys: Object.keys(args) };
}
`,
      },
    });
  });
  after(() => s.close());

  it('an 8 MiB preamble before the first boundary, sent chunked, is 413', async () => {
    const body = Buffer.concat([
      Buffer.alloc(8 * 1024 * 1024, 'p'),
      Buffer.from(
        `\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${BOUNDARY}--\r\n`,
      ),
    ]);
    const answer = await sendChunked(s, multipartHead('/t/up'), body);
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });

  it('a large part without Content-Disposition, sent chunked, is 413', async () => {
    const body = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Type: application/octet-stream\r\n\r\n`),
      Buffer.alloc(2 * 1024 * 1024, 'n'),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]);
    const answer = await sendChunked(s, multipartHead('/t/up'), body);
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });

  it('a 2 MiB file part sent chunked is 413, never cut to the limit', async () => {
    const body = Buffer.concat([
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.alloc(2 * 1024 * 1024, 'f'),
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ]);
    const answer = await sendChunked(s, multipartHead('/t/up'), body);
    assert.match(answer, /^HTTP\/1\.1 413 /, answer.slice(0, 300));
  });

  it('a field and a file that together pass the limit are 413, and the server lives', async () => {
    // Found while fixing #5: failing mid-file errored busboy's open file stream, unhandled.
    const form = new FormData();
    form.append('a', 'x'.repeat(700 * 1024));
    form.append('f', new Blob([Buffer.alloc(700 * 1024, 'k')]), 'two.bin');
    const r = await s.fetch('/t/up', { method: 'POST', body: form });
    assert.equal(r.status, 413);
    const again = await s.fetch('/t/up', { method: 'POST', body: new FormData() });
    assert.equal(again.status, 200);
  });

  it('a file within the limit still arrives whole', async () => {
    const form = new FormData();
    form.append('f', new Blob([Buffer.alloc(300 * 1024, 'k')]), 'ok.bin');
    const r = await s.fetch('/t/up', { method: 'POST', body: form });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { size: number }).size, 300 * 1024);
  });
});
