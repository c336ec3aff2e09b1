import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { authorized, crossOrigin, tokenMatches } from '../../src/control/auth.js';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('control plane: the admin token', () => {
  const token = 'abcdefghijklmnopqrstuvwxyz';

  it('matches only "Bearer TOKEN" exactly', () => {
    assert.equal(tokenMatches(`Bearer ${token}`, token), true);
    assert.equal(tokenMatches(`bearer ${token}`, token), true, 'the scheme is case-insensitive');
    assert.equal(tokenMatches(undefined, token), false);
    assert.equal(tokenMatches('', token), false);
    assert.equal(tokenMatches(token, token), false, 'no scheme');
    assert.equal(tokenMatches(`Basic ${token}`, token), false);
    assert.equal(tokenMatches(`Bearer ${token}x`, token), false);
    assert.equal(tokenMatches(`Bearer x${token.slice(1)}`, token), false);
    assert.equal(tokenMatches(`Bearer ${token.slice(0, -1)}`, token), false);
    assert.equal(tokenMatches('Bearer ', ''), false, 'an empty token never matches');
  });

  it('opens to anyone under --dev without a token, and only to the token once one is set', () => {
    assert.equal(authorized(req({}), { dev: true, token: undefined }), true);
    assert.equal(authorized(req({}), { dev: false, token: undefined }), false);
    assert.equal(
      authorized(req({}), { dev: true, token }),
      false,
      'a token counts under --dev too',
    );
    assert.equal(authorized(req({ authorization: `Bearer ${token}` }), { dev: true, token }), true);
  });

  it('tells a request from another site (Sec-Fetch-Site, else Origin vs Host)', () => {
    assert.equal(crossOrigin(req({})), undefined, 'curl');
    assert.equal(crossOrigin(req({ 'sec-fetch-site': 'same-origin' })), undefined);
    assert.equal(
      crossOrigin(req({ 'sec-fetch-site': 'cross-site' })),
      'Sec-Fetch-Site: cross-site',
    );
    assert.equal(crossOrigin(req({ 'sec-fetch-site': 'same-site' })), 'Sec-Fetch-Site: same-site');
    assert.equal(crossOrigin(req({ origin: 'http://a:1', host: 'a:1' })), undefined);
    assert.equal(crossOrigin(req({ origin: 'http://evil', host: 'a:1' })), 'Origin: http://evil');
    assert.equal(crossOrigin(req({ origin: 'null', host: 'a:1' })), 'Origin: null');
  });
});
