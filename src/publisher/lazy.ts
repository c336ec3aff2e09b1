/**
 * Dependencies loaded on first use: ajv at the first schema or app.json, busboy at the
 * first multipart body, serve-static at the first static file, pino only when no logger
 * was given. Each is a CommonJS package, so it is `require`d synchronously: start-up pays
 * nothing for it, and the first request that needs it adds no await.
 */
import { createRequire } from 'node:module';
import type Busboy from 'busboy';
import type ServeStatic from 'serve-static';

const require = createRequire(import.meta.url);

/** A loader of package `id` that requires it on its first call and returns it after. */
export function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(id) as T;
    return loaded;
  };
}

/** ajv (`fn.schema`, app.json). */
export const loadAjv = lazy<typeof import('ajv')>('ajv');
/** busboy (multipart bodies). */
export const loadBusboy = lazy<typeof Busboy>('busboy');
/** serve-static (an app's `public/`). */
export const loadServeStatic = lazy<typeof ServeStatic>('serve-static');
/** pino (the default logger). */
export const loadPino = lazy<typeof import('pino')>('pino');
