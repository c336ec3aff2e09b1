// /-/openapi.json: a valid OpenAPI 3.1 document (checked by a validator package), of
// every published function and nothing else, following a schema edit on disk without a
// restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { pathVariants } from '../../src/control/openapi.js';
import { json } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import { type ControlServer, startControl } from './helpers.js';

const NOTES = (nameType: string) => `
export function index() { return 'notes'; }
export function create(args: { title: string; tag?: string }) { return args; }
create.methods = ['POST'];
create.schema = {
  type: 'object',
  properties: { title: { type: '${nameType}' }, tag: { type: 'string' } },
  required: ['title'],
  additionalProperties: false,
};
export function search(args: { q: string; limit?: number }) { return args; }
search.methods = ['GET'];
search.schema = {
  type: 'object',
  properties: { q: { type: 'string' }, limit: { type: 'integer', minimum: 1 } },
  required: ['q'],
};
export function _secret() { return 'never listed'; }
export class Store {}
export const VERSION = 3;
export { readFileSync } from 'node:fs';
export function broken() { return 1; }
broken.methods = ['GTE'];
`;

const FILES = {
  'notes/index.ts': NOTES('string'),
  'notes/_lib/db.ts': 'export function connect() { return 1; }\n',
  'api/app.json': JSON.stringify({ mount: '/api/:tenant' }),
  'api/todos.ts': `
export function list(args: { tenant: string; done?: boolean }) { return args; }
list.schema = {
  type: 'object',
  properties: { tenant: { type: 'string', minLength: 2 }, done: { type: 'boolean' } },
};
export function add(args: { tenant: string; text: string }) { return args; }
add.methods = ['POST', 'PUT'];
add.schema = {
  type: 'object',
  properties: { tenant: { type: 'string' }, text: { type: 'string' } },
  required: ['tenant', 'text'],
};
export const _auth = () => true;
`,
};

// biome-ignore lint/suspicious/noExplicitAny: the document is checked by shape
type Doc = any;

describe('/-/openapi.json', () => {
  let s: ControlServer;
  before(async () => {
    s = await startControl(FILES, { dev: true, watch: true });
  });
  after(() => s.close());

  it('validates against the OpenAPI 3.1 schema', async () => {
    const doc: Doc = await json(await s.fetch('/-/openapi.json'));
    assert.equal(doc.openapi, '3.1.0');
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    // The validator is not a rubber stamp: a broken document fails it.
    const bad = structuredClone(doc);
    bad.paths['/notes/search'].get.responses = 'none';
    assert.equal((await new Validator().validate(bad)).valid, false);
  });

  it('lists every published function with its methods, parameters and body, and nothing else', async () => {
    const doc: Doc = await json(await s.fetch('/-/openapi.json'));
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/api/{tenant}/todos/add',
      '/api/{tenant}/todos/list',
      '/notes',
      '/notes/create',
      '/notes/search',
    ]);
    const text = JSON.stringify(doc);
    for (const hidden of [
      '_secret',
      'Store',
      'VERSION',
      'readFileSync',
      'connect',
      '_lib',
      'broken',
    ]) {
      assert.equal(text.includes(hidden), false, `${hidden} is not published: never listed`);
    }
    assert.deepEqual(Object.keys(doc.paths['/notes/search']), ['get']);
    assert.deepEqual(doc.paths['/notes/search'].get.parameters, [
      { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
    ]);
    const create = doc.paths['/notes/create'].post;
    assert.equal(create.requestBody.required, true);
    assert.deepEqual(create.requestBody.content['application/json'].schema.required, ['title']);
    assert.equal(create['x-hotpub-function'], 'notes/index.ts#create');
    const list = doc.paths['/api/{tenant}/todos/list'].get;
    assert.deepEqual(list.parameters[0], {
      name: 'tenant',
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 2 },
    });
    const add = doc.paths['/api/{tenant}/todos/add'];
    assert.deepEqual(Object.keys(add).sort(), ['post', 'put']);
    const body = add.post.requestBody.content['application/json'].schema;
    assert.deepEqual(Object.keys(body.properties), ['text'], 'the path param is not in the body');
    assert.deepEqual(body.required, ['text']);
    assert.ok(add.post.responses['401'], 'guarded: 401 listed');
  });

  it('follows a schema edit on disk without a restart: never a generation behind', async () => {
    const before: Doc = await json(await s.fetch('/-/openapi.json'));
    const schemaOf = (doc: Doc) =>
      doc.paths['/notes/create'].post.requestBody.content['application/json'].schema;
    assert.equal(schemaOf(before).properties.title.type, 'string');
    await s.write('notes/index.ts', NOTES('integer'));
    // Once the new code answers, the document must describe it (same swap).
    await waitFor(
      async () =>
        (
          await s.fetch('/notes/create', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"title":"x"}',
          })
        ).status === 400,
      { message: 'the new schema to serve' },
    );
    const after: Doc = await json(await s.fetch('/-/openapi.json'));
    assert.equal(schemaOf(after).properties.title.type, 'integer');
    assert.notEqual(after.info.version, before.info.version);
  });
});

describe('OpenAPI paths of mount patterns', () => {
  it('turns params into {name} and an optional group into a path with and one without it', () => {
    assert.deepEqual(pathVariants('/api/:tenant/todos/list'), [
      { path: '/api/{tenant}/todos/list', params: ['tenant'] },
    ]);
    assert.deepEqual(pathVariants('/shop{/:lang}/cart'), [
      { path: '/shop/cart', params: [] },
      { path: '/shop/{lang}/cart', params: ['lang'] },
    ]);
    assert.deepEqual(pathVariants('/'), [{ path: '/', params: [] }]);
  });
});
