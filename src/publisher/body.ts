/**
 * Request bodies: JSON, urlencoded and multipart forms (busboy), within a byte limit.
 * Keys that could reach a prototype (`__proto__`, `constructor`, `prototype`) are dropped.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Busboy } from 'busboy';
import { HttpError, requestError } from '../errors/index.js';
import { refusedBody } from './discard-body.js';
import { loadBusboy } from './lazy.js';

/** Most files of a multipart body. */
const MAX_FILES = 100;

/** An uploaded file of a multipart body, held in memory. */
export interface UploadedFile {
  filename: string | undefined;
  mimeType: string;
  encoding: string;
  size: number;
  data: Buffer;
}

/** A parsed body: `fields` merge into args; `value` is what `ctx.body` shows. */
export interface ParsedBody {
  kind: 'json' | 'form' | 'multipart';
  fields: Record<string, unknown> | undefined;
  value: unknown;
}

const DANGEROUS = ['__proto__', 'constructor', 'prototype'];

/** Keys never copied from client input into an object. */
export function isDangerousKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/** Adds `value` under `key` to a null-prototype object; repeated keys become arrays. */
function addField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (isDangerousKey(key)) return;
  const prev = target[key];
  if (prev === undefined) target[key] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else target[key] = [prev, value];
}

/** Most parameters of an urlencoded or multipart body (body-parser's `parameterLimit`). */
const MAX_PARAMETERS = 1000;

/**
 * Parses a query string or urlencoded body the way Express 5's simple parser does, but
 * without dropping keys past 1000 (a query string is bounded by the header size limit;
 * bodies are checked with {@link countParameters} first).
 */
export function parseForm(text: string): Record<string, unknown> {
  const parsed = parseQuery(text, '&', '=', { maxKeys: 0 }) as Record<string, unknown>;
  for (const key of DANGEROUS) delete parsed[key];
  return parsed;
}

/** A 413; {@link readBody} lets the client read it (see discard-body.ts). */
function refuse(message: string): HttpError {
  return requestError('bodyTooLarge', message);
}

function tooManyParameters(): HttpError {
  return refuse(`More than ${MAX_PARAMETERS} parameters in the body`);
}

function tooLarge(limit: number): HttpError {
  return refuse(`Request body is larger than ${limit} bytes`);
}

function incomplete(cause?: unknown): HttpError {
  return requestError('badBody', 'Request body was not received completely', { cause });
}

function malformedMultipart(cause: unknown): HttpError {
  return requestError('badBody', 'Malformed multipart body', { cause });
}

/** True if an urlencoded text has more than {@link MAX_PARAMETERS} parameters. */
function tooManyPairs(text: string): boolean {
  let n = 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++n > MAX_PARAMETERS) return true;
  }
  return false;
}

function reviver(key: string, value: unknown): unknown {
  return isDangerousKey(key) ? undefined : value;
}

/** True if the request announces a body (a non-zero length or chunked encoding). */
export function hasBody(req: IncomingMessage): boolean {
  const te = req.headers['transfer-encoding'];
  if (te !== undefined) return true;
  const cl = req.headers['content-length'];
  return cl !== undefined && cl !== '0';
}

function kindOf(contentType: string): ParsedBody['kind'] | undefined {
  const mime = (contentType.split(';', 1)[0] as string).trim().toLowerCase();
  if (mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'))) {
    return 'json';
  }
  if (mime === 'application/x-www-form-urlencoded') return 'form';
  if (mime === 'multipart/form-data') return 'multipart';
  return undefined;
}

function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err?: Error) => {
      cleanup();
      reject(incomplete(err));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

function readMultipart(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const fields = Object.create(null) as Record<string, unknown>;
    let total = 0;
    let raw = 0;
    let failed = false;
    // Every byte received counts, before busboy: a preamble or a part busboy skips too.
    const onRaw = (chunk: Buffer) => {
      raw += chunk.length;
      if (raw > limit) fail(tooLarge(limit));
    };
    const fail = (err: HttpError) => {
      if (failed) return;
      failed = true;
      req.off('data', onRaw);
      req.unpipe(bb);
      bb.destroy();
      reject(err);
    };
    let bb: Busboy;
    try {
      bb = loadBusboy()({
        headers: req.headers,
        limits: {
          fields: MAX_PARAMETERS,
          files: MAX_FILES,
          parts: MAX_PARAMETERS + MAX_FILES,
          fieldNameSize: 1024,
          fieldSize: limit,
          // One byte more than allowed, so busboy's cut shows as a 'limit' event, never as a short file.
          fileSize: limit + 1,
        },
      });
    } catch (err) {
      reject(malformedMultipart(err));
      return;
    }
    // Past a limit busboy drops parts silently: refuse the request instead of a partial form.
    bb.on('fieldsLimit', () => fail(tooManyParameters()));
    bb.on('partsLimit', () => fail(tooManyParameters()));
    bb.on('filesLimit', () => fail(refuse(`More than ${MAX_FILES} files in the body`)));
    bb.on('field', (name, value, info) => {
      total += name.length + value.length;
      if (total > limit || info.valueTruncated || info.nameTruncated) return fail(tooLarge(limit));
      addField(fields, name, value);
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('limit', () => fail(tooLarge(limit)));
      // Destroying busboy on a failure errors the open file stream: already answered.
      stream.on('error', () => {});
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        total += chunk.length;
        if (total > limit) return fail(tooLarge(limit));
        chunks.push(chunk);
      });
      stream.on('end', () => {
        const file: UploadedFile = {
          filename: info.filename,
          mimeType: info.mimeType,
          encoding: info.encoding,
          size,
          data: Buffer.concat(chunks, size),
        };
        addField(fields, name, file);
      });
    });
    bb.on('close', () => {
      req.off('data', onRaw);
      if (!failed) resolve(fields);
    });
    bb.on('error', (err) => fail(malformedMultipart(err)));
    req.on('aborted', () => fail(incomplete()));
    req.on('data', onRaw);
    req.pipe(bb);
  });
}

/**
 * Reads and parses the body of `req` if it is JSON, urlencoded or multipart. Other
 * content types are left unread (the handler may stream `ctx.req`): returns undefined.
 * Throws `HttpError` 400 (malformed), 413 (over `limit`, counted on the bytes received)
 * or 415 (compressed body). After a 413 the rest of the body is read and dropped, so the
 * client can read the answer.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<ParsedBody | undefined> {
  try {
    return await parseBody(req, limit);
  } catch (err) {
    throw err instanceof HttpError && err.status === 413 ? refusedBody(req, err) : err;
  }
}

async function parseBody(req: IncomingMessage, limit: number): Promise<ParsedBody | undefined> {
  const kind = kindOf(req.headers['content-type'] ?? '');
  if (kind === undefined) return undefined;
  const enc = req.headers['content-encoding'];
  if (enc !== undefined && enc.toLowerCase() !== 'identity') {
    throw requestError('unsupportedMediaType', `Content-Encoding "${enc}" is not supported`);
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooLarge(limit);
  if (kind === 'multipart') {
    const fields = await readMultipart(req, limit);
    return { kind, fields, value: fields };
  }
  const text = (await readAll(req, limit)).toString('utf8');
  if (kind === 'form') {
    if (tooManyPairs(text)) throw tooManyParameters();
    const fields = parseForm(text);
    return { kind, fields, value: fields };
  }
  let value: unknown;
  try {
    value = text.trim() === '' ? undefined : JSON.parse(text, reviver);
  } catch (err) {
    throw requestError('badJson', `Malformed JSON body: ${(err as Error).message}`, { cause: err });
  }
  return { kind, fields: fieldsOf(value), value };
}

/** The fields of a parsed body: its keys when it is a plain object, else undefined. */
export function fieldsOf(body: unknown): Record<string, unknown> | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    return undefined;
  }
  return body as Record<string, unknown>;
}
