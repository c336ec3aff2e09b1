/**
 * What `import ... from 'hotpub'` gives an app module at run time: the helpers app code
 * calls (`keep` is bound to the importing module by the registry). The server hands this
 * module to the registry; src/index.ts re-exports it, so neither imports the other.
 * @module
 */
export { HttpError } from './errors/index.js';
export { HtmlString, html, raw } from './publisher/index.js';
export { keep } from './registry/index.js';
