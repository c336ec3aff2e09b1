/**
 * The secrets that sign session cookies: from `HOTPUB_SECRET` or the config's `secret`, a
 * list whose first entry signs and every entry verifies (rotation: put the new secret
 * first, drop the old one once its cookies have expired). Under `--dev` without any, one
 * is made up; outside `--dev` the server runs without, and sessions answer 500.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, HotpubError } from '../errors/index.js';

/** Shortest secret accepted (as h3's sessions ask): 32 characters. */
export const MIN_SECRET_LENGTH = 32;

/** A secret or a list of secrets, first signs. */
export type SecretInput = string | readonly string[];

/**
 * Splits `HOTPUB_SECRET` (several secrets are separated by commas, the first signs).
 * Undefined when unset or empty.
 */
export function secretsFromEnv(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((s) => s.trim());
}

/**
 * Checks `input` and returns it as a list; a secret shorter than 32 characters is the
 * `config` error. `from` names where it came from, for the message (`HOTPUB_SECRET`).
 */
export function checkSecrets(input: SecretInput, from: string): string[] {
  const list = typeof input === 'string' ? [input] : [...input];
  if (list.length === 0)
    throw new HotpubError(ErrorCode.config, `${from}: give at least one secret`);
  list.forEach((secret, i) => {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      const which = list.length > 1 ? `secret ${i + 1} of ${list.length}` : 'the secret';
      throw new HotpubError(
        ErrorCode.config,
        `${from}: ${which} is ${typeof secret === 'string' ? `${secret.length} characters` : `a ${typeof secret}`}; use at least ${MIN_SECRET_LENGTH} random characters (e.g. openssl rand -base64 32)`,
      );
    }
  });
  return list;
}

/** A random secret for `--dev` (sessions then last as long as the process). */
export function madeUpSecret(): string {
  return randomBytes(32).toString('base64url');
}
