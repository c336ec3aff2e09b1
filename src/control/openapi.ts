/**
 * The OpenAPI 3.1 document of every published function, built from the publisher's route
 * listing: one path per URL (mount params as path parameters; a mount's optional group
 * gives a path with and one without it), one operation per method, query parameters
 * (GET, DELETE, ...) or a request body (POST, PUT, PATCH) from `fn.schema`. Functions
 * that are not published, shadowed, or unusable (bad `fn.methods` or `fn.schema`) and
 * modules that fail to load never appear.
 */
import { relative } from 'node:path';
import { parse, type Token } from 'path-to-regexp';
import type { RouteListing } from '../publisher/index.js';

/** An OpenAPI 3.1 document (only the parts hotpub writes are typed). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
  [extension: `x-${string}`]: unknown;
}

/** Options of {@link buildOpenApi}. */
export interface OpenApiOptions {
  /** The apps directory: operations name their file relative to it. */
  root: string;
  title?: string;
}

type JsonSchema = Record<string, unknown>;

const QUERY_METHODS = new Set(['GET', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE']);
const OPENAPI_METHODS = new Set([
  'GET',
  'PUT',
  'POST',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'PATCH',
  'TRACE',
]);
const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['status', 'code', 'message'],
      properties: {
        status: { type: 'integer' },
        code: {
          type: 'string',
          description: "hotpub's error code (docs/errors.md) or the app's own",
        },
        message: { type: 'string' },
        details: {},
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The path variants of a URL pattern: `{param}` for params, optional groups in and out. */
export function pathVariants(pattern: string): Array<{ path: string; params: string[] }> {
  const expand = (tokens: Token[]): Array<{ path: string; params: string[] }> => {
    let out = [{ path: '', params: [] as string[] }];
    for (const t of tokens) {
      if (t.type === 'text') out = out.map((v) => ({ ...v, path: v.path + t.value }));
      else if (t.type === 'param' || t.type === 'wildcard') {
        out = out.map((v) => ({ path: `${v.path}{${t.name}}`, params: [...v.params, t.name] }));
      } else {
        const inner = expand(t.tokens);
        out = out.flatMap((v) => [
          v,
          ...inner.map((i) => ({ path: v.path + i.path, params: [...v.params, ...i.params] })),
        ]);
      }
    }
    return out;
  };
  const seen = new Set<string>();
  return expand(parse(pattern).tokens)
    .map((v) => ({ ...v, path: v.path === '' ? '/' : v.path }))
    .filter((v) => !seen.has(v.path) && seen.add(v.path));
}

/** `fn.schema` as plain JSON (TypeBox's symbols and any function dropped), or undefined. */
function plainSchema(schema: unknown, id: string): JsonSchema | undefined {
  if (schema === undefined || schema === null || typeof schema !== 'object') return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(schema);
  } catch {
    return undefined; // a cycle or a BigInt: no schema is better than a wrong one
  }
  const plain = JSON.parse(text ?? '{}') as JsonSchema;
  // Local refs (#/definitions/x) must resolve inside this schema, not the document.
  if (plain.$id === undefined && text?.includes('"$ref":"#')) plain.$id = id;
  return plain;
}

function propertiesOf(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  const props = schema?.properties;
  return props && typeof props === 'object' ? (props as Record<string, JsonSchema>) : {};
}

function requiredOf(schema: JsonSchema | undefined): string[] {
  const req = schema?.required;
  return Array.isArray(req) ? req.filter((r): r is string => typeof r === 'string') : [];
}

/** The schema without the path params (they come from the URL, not the body). */
function withoutParams(schema: JsonSchema, params: readonly string[]): JsonSchema {
  if (params.length === 0) return schema;
  const properties = { ...propertiesOf(schema) };
  for (const p of params) delete properties[p];
  const out: JsonSchema = { ...schema, properties };
  const required = requiredOf(schema).filter((r) => !params.includes(r));
  if (required.length > 0) out.required = required;
  else delete out.required;
  return out;
}

/** Unique per operation: app, module (without the app and extension), function, method. */
function operationId(route: RouteListing, rel: string, method: string, variant: number): string {
  const inApp = rel.startsWith(`${route.app}/`) ? rel.slice(route.app.length + 1) : rel;
  const base = [route.app, inApp.replace(/\.[^.]+$/, ''), route.name, method.toLowerCase()]
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '_');
  return variant === 0 ? base : `${base}_${variant}`;
}

function operation(
  route: RouteListing,
  method: string,
  rel: string,
  schema: JsonSchema | undefined,
  params: string[],
  variant: number,
): Record<string, unknown> {
  const props = propertiesOf(schema);
  const required = requiredOf(schema);
  const parameters: unknown[] = params.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: props[name] ?? { type: 'string' },
  }));
  const op: Record<string, unknown> = {
    operationId: operationId(route, rel, method, variant),
    summary: `${rel}#${route.name}`,
    tags: [route.app],
  };
  if (QUERY_METHODS.has(method)) {
    for (const [name, prop] of Object.entries(props)) {
      if (params.includes(name)) continue;
      parameters.push({ name, in: 'query', required: required.includes(name), schema: prop });
    }
  } else if (schema !== undefined) {
    const body = withoutParams(schema, route.params);
    op.requestBody = {
      required: requiredOf(body).length > 0,
      content: Object.fromEntries(BODY_TYPES.map((t) => [t, { schema: body }])),
    };
  }
  if (parameters.length > 0) op.parameters = parameters;
  const responses: Record<string, unknown> = {
    '200': { description: "The function's return value: JSON, text, HTML or bytes" },
  };
  if (schema !== undefined) responses['400'] = errorResponse('The arguments fail fn.schema');
  if (route.guarded) {
    responses['401'] = errorResponse('A guard asks for authentication');
    responses['403'] = errorResponse('A guard denies access');
  }
  responses.default = errorResponse('An error (its codes: docs/errors.md)');
  op.responses = responses;
  op['x-hotpub-function'] = `${rel}#${route.name}`;
  op['x-hotpub-generation'] = route.generation;
  return op;
}

/** Builds the document from `routes` (the publisher's `routes()`). */
export function buildOpenApi(
  routes: readonly RouteListing[],
  options: OpenApiOptions,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const generations: Record<string, number> = {};
  for (const route of routes) {
    if (route.name === undefined || route.shadowed || route.problem !== undefined) continue;
    generations[route.app] = Math.max(generations[route.app] ?? 0, route.generation);
    const rel = relative(options.root, route.file).split('\\').join('/');
    const schema = plainSchema(route.schema, `urn:hotpub:${rel}#${route.name}`);
    const methods = route.methods.filter(
      (m) => OPENAPI_METHODS.has(m) && !(m === 'HEAD' && route.methods.includes('GET')),
    );
    pathVariants(route.url).forEach((variant, i) => {
      const item = paths[variant.path] ?? {};
      paths[variant.path] = item;
      for (const m of methods) {
        item[m.toLowerCase()] = operation(route, m, rel, schema, variant.params, i);
      }
    });
  }
  const version = Object.entries(generations)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([app, g]) => `${app}@${g}`)
    .join(' ');
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'hotpub apps',
      version: version || '0',
      description: 'Every published function, from the code that serves now (hotpub).',
    },
    paths,
    components: { schemas: { Error: ERROR_SCHEMA } },
    'x-hotpub-generations': generations,
  };
}
