/** The request checks of web mode (web-security.ts) as functions: names, origins, paths, cookies. */
import { describe, expect, it } from 'vitest';
import {
  allowedHostNames,
  cookieValue,
  generateToken,
  hostName,
  normalisedPath,
  originAllowed,
  tokenMatches,
} from '../../src/server/web-security.ts';

describe('web mode request checks', () => {
  it('reads host names from Host headers, IPv6 literals and trailing dots included', () => {
    expect(hostName('LocalHost:5170')).toBe('localhost');
    expect(hostName('[::1]:5170')).toBe('::1');
    expect(hostName('example.com.')).toBe('example.com');
    expect(hostName('')).toBeUndefined();
  });

  it('allows loopback names, the bound address and --allow-host names only', () => {
    const names = allowedHostNames('127.0.0.1', ['ws-12.plant.local', 'WS-12:5170']);
    for (const n of ['localhost', '127.0.0.1', '::1', 'ws-12.plant.local', 'ws-12'])
      expect(names.has(n), n).toBe(true);
    expect(names.has('evil.example')).toBe(false);
    expect(names.has('127.0.0.1.evil.example')).toBe(false);
    // Bound to every interface: also the machine's own addresses (IP literals cannot be rebound).
    expect(allowedHostNames('0.0.0.0').has('127.0.0.1')).toBe(true);
  });

  it('accepts only this server as an Origin', () => {
    const names = allowedHostNames('127.0.0.1');
    expect(originAllowed('http://127.0.0.1:5170', names, 5170)).toBe(true);
    expect(originAllowed('http://localhost:5170', names, 5170)).toBe(true);
    expect(originAllowed('http://localhost:5171', names, 5170)).toBe(false);
    expect(originAllowed('http://evil.example:5170', names, 5170)).toBe(false);
    expect(originAllowed('null', names, 5170)).toBe(false);
    expect(originAllowed('file://', names, 5170)).toBe(false);
  });

  it('normalises every spelling of a path the way a router could read it', () => {
    for (const p of [
      '/%61pi/x',
      '/%2561pi/x',
      '/API/x',
      '/x/../api/x',
      '//api//x',
      '/./api/./x',
      '/%2e%2e/api/x',
      '/api%2fx',
    ])
      expect(normalisedPath(p), p).toBe('/api/x');
    expect(normalisedPath('/api/x?token=1#f')).toBe('/api/x');
    // A malformed escape does not throw: the valid escapes around it are still decoded.
    expect(normalisedPath('/%E0%A4%A/%61pi')).toMatch(/\/api$/);
  });

  it('compares tokens in constant time and reads the cookie by exact name', () => {
    const t = generateToken();
    expect(t).toMatch(/^[\w-]{32}$/);
    expect(generateToken()).not.toBe(t);
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(t.slice(1), t)).toBe(false);
    expect(tokenMatches(undefined, t)).toBe(false);
    expect(cookieValue('a=1; auscult_token_5170=abc; b=2', 'auscult_token_5170')).toBe('abc');
    expect(cookieValue('xauscult_token_5170=abc', 'auscult_token_5170')).toBeUndefined();
  });
});
