/**
 * Clients for long-lived responses in tests: an event-stream reader over `fetch`, and a
 * WebSocket client (the `ws` package) whose messages are awaited one by one.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';

/** One parsed server-sent event (or comment). */
export interface ParsedEvent {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** Reads an event stream: `next()` resolves with the next event or comment block. */
export class EventReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(res: Response) {
    if (!res.body) throw new Error('no body');
    this.reader = res.body.getReader();
  }

  /** The next block (events and comments are separated by a blank line); undefined at the end. */
  async next(): Promise<ParsedEvent | undefined> {
    for (;;) {
      const cut = this.buffer.indexOf('\n\n');
      if (cut >= 0) {
        const block = this.buffer.slice(0, cut);
        this.buffer = this.buffer.slice(cut + 2);
        return parseBlock(block);
      }
      const { value, done } = await this.reader.read();
      if (done) return undefined;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  /** The next block that is an event (skips comments such as keep-alives). */
  async nextEvent(): Promise<ParsedEvent | undefined> {
    for (;;) {
      const e = await this.next();
      if (e === undefined || e.comment === undefined || e.data !== undefined) return e;
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

function parseBlock(block: string): ParsedEvent {
  const out: ParsedEvent = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) out.comment = line.slice(1).trim();
    else {
      const colon = line.indexOf(':');
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (key === 'data') out.data = out.data === undefined ? value : `${out.data}\n${value}`;
      else if (key === 'event' || key === 'id') out[key] = value;
    }
  }
  return out;
}

/** A WebSocket client whose messages are queued for `next()`. */
export class TestSocket {
  readonly ws: WebSocket;
  private readonly messages: string[] = [];
  private readonly waiting: Array<(m: string) => void> = [];
  /** Resolves with the close code when the connection closes. */
  readonly closed: Promise<number>;
  /** Resolves with the 101 response (headers) once open. */
  readonly opened: Promise<IncomingMessage>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers });
    this.ws.on('message', (data) => {
      const text = String(data);
      const w = this.waiting.shift();
      if (w) w(text);
      else this.messages.push(text);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('upgrade', (res) => resolve(res));
      this.ws.once('error', reject);
    });
  }

  /** The next message received, as text. */
  next(): Promise<string> {
    const m = this.messages.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next message, parsed as JSON. */
  async nextJson(): Promise<unknown> {
    return JSON.parse(await this.next());
  }

  /** Sends text, or JSON for anything else. */
  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Sends and waits for the next message. */
  async ask(value: unknown): Promise<string> {
    this.send(value);
    return this.next();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** Opens a socket and waits for it to be open. */
export async function openSocket(
  url: string,
  headers?: Record<string, string>,
): Promise<TestSocket> {
  const s = new TestSocket(url, headers);
  await s.opened;
  return s;
}

/** The HTTP answer to an upgrade that was refused: status, headers and body. */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      reject(new Error(`${url}: the upgrade was accepted`));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

/** `ws://` form of an `http://` base URL. */
export function wsUrl(base: string, path: string): string {
  return base.replace(/^http/, 'ws') + path;
}
