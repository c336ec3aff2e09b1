/**
 * hotpub's public API: named exports and types only.
 * @packageDocumentation
 */
export type * from './registry/types.js';
