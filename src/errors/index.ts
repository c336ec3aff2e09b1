/**
 * hotpub's error model: one table of codes, one base class, `HttpError` for apps. A leaf:
 * it imports nothing from the other folders, and they all import it from here.
 */
export {
  ERRORS,
  type ErrorArea,
  ErrorCode,
  type ErrorName,
  type ErrorSpec,
  EXIT_RUNTIME,
  EXIT_USAGE,
  errorSpec,
  type HotpubCode,
  isHotpubCode,
} from './codes.js';
export { HotpubError, type HotpubErrorOptions } from './hotpub-error.js';
export {
  defaultMessage,
  HttpError,
  type HttpErrorOptions,
  type RequestErrorName,
  requestError,
  statusOf,
} from './http-error.js';
