/**
 * The checks web mode applies to every request before it reaches the API: which Host names and
 * Origins are ours (DNS rebinding, cross-site requests), who holds the token (Bearer header or the
 * HttpOnly cookie the start page sets), and the security headers every response carries.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import os from 'node:os';

/** A fresh per-launch token (192 bits, URL-safe), as Jupyter generates one per start. */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';

/** Lower-case host name of a Host header or URL authority, without port or IPv6 brackets. */
export function hostName(authority: string): string | undefined {
  const a = authority.trim().toLowerCase();
  if (!a) return undefined;
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    return end > 0 ? a.slice(1, end) : undefined;
  }
  const colon = a.indexOf(':');
  const name = colon >= 0 ? a.slice(0, colon) : a;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * The names a request may address this server by: loopback names, the bound address, names given
 * with --allow-host, and — when bound to every interface — the machine's own IP addresses (an IP
 * literal cannot be rebound by DNS).
 */
export function allowedHostNames(boundHost: string, allowHosts: string[] = []): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', boundHost.toLowerCase()]);
  for (const h of allowHosts) names.add(hostName(h) ?? h.toLowerCase());
  if (isWildcard(boundHost)) {
    for (const addrs of Object.values(os.networkInterfaces()))
      for (const a of addrs ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}

/** True when an `Origin` header names this server (scheme http, an allowed host, our port). */
export function originAllowed(origin: string, allowed: Set<string>, port: number): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes "null" (sandboxed frames, file: pages)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const name = hostName(url.host);
  const originPort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return name !== undefined && allowed.has(name) && originPort === port;
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookie name per port: browsers share cookies between ports of one host. */
export const tokenCookieName = (port: number): string => `auscult_token_${port}`;

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The path a router would see: percent-decoded until stable (double encoding included), dot
 * segments and repeated slashes removed, lower-cased. Used to decide whether a request is for the
 * API, so that no spelling of `/api/…` escapes the token check.
 */
export function normalisedPath(url: string): string {
  let p = url.split('?')[0]!.split('#')[0]!;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(p);
    } catch {
      next = p.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
    if (next === p) break;
    p = next;
  }
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return ('/' + out.join('/')).toLowerCase();
}

/** Content-Security-Policy of every response: only our own scripts, no framing by other sites. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The page a browser without the cookie gets: paste the token printed by `auscult serve`. */
export function loginPage(message: string): string {
  const esc = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Auscult — sign in</title>
<style>body{font:16px system-ui,sans-serif;max-width:34em;margin:4em auto;color:#1b1f24}
input{font:inherit;width:100%;padding:.4em;margin:.5em 0}button{font:inherit;padding:.4em 1.2em}
p.msg{color:#a0261b}</style></head>
<body><h1>Auscult web mode</h1><p class="msg">${esc}</p>
<p>Open the address <code>auscult serve</code> printed (it ends in <code>?token=…</code>), or paste its token:</p>
<form method="get" action="/"><input name="token" type="password" autocomplete="off" autofocus aria-label="token">
<button type="submit">Open Auscult</button></form></body></html>`;
}
