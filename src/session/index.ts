/** Sessions: `ctx.session`, kept in storage, named by a signed cookie per app. */
export {
  checkSecrets,
  MIN_SECRET_LENGTH,
  madeUpSecret,
  type SecretInput,
  secretsFromEnv,
} from './secrets.js';
export type { Session, SessionData } from './session.js';
export { SessionHandle, type StoredSession } from './session.js';
export {
  DEFAULT_SESSION_MAX_AGE,
  noSecret,
  type SessionOptions,
  Sessions,
  type SessionsInit,
} from './sessions.js';
