import { describe, expect, it } from 'vitest';
import { appUrlChecker, CONTENT_SECURITY_POLICY, devRendererUrl } from '../../src/main/security.ts';

describe('desktop security helpers', () => {
  it('honours ELECTRON_RENDERER_URL only unpackaged and only on this machine', () => {
    const env = (url: string) => ({ ELECTRON_RENDERER_URL: url });
    expect(devRendererUrl(env('http://localhost:5173'), false)).toBe('http://localhost:5173/');
    expect(devRendererUrl(env('http://127.0.0.1:5173/'), false)).toBe('http://127.0.0.1:5173/');
    expect(devRendererUrl(env('http://localhost:5173'), true)).toBeUndefined();
    expect(devRendererUrl(env('https://evil.example/'), false)).toBeUndefined();
    expect(devRendererUrl(env('http://plant-server:5173/'), false)).toBeUndefined();
    expect(devRendererUrl(env('file:///tmp/index.html'), false)).toBeUndefined();
    expect(devRendererUrl(env('not a url'), false)).toBeUndefined();
    expect(devRendererUrl({}, false)).toBeUndefined();
  });

  it('knows the app by scheme and host, and the dev server only when given', () => {
    const packaged = appUrlChecker();
    expect(packaged('auscult-app://renderer/index.html')).toBe(true);
    expect(packaged('auscult-app://other/index.html')).toBe(false);
    expect(packaged('http://localhost:5173/')).toBe(false);
    expect(packaged('garbage')).toBe(false);
    const dev = appUrlChecker('http://localhost:5173/');
    expect(dev('http://localhost:5173/#/line/2')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
  });

  it('has a CSP without inline or eval scripts, plugins or framing, allowing audio from auscult-audio:', () => {
    const directives = Object.fromEntries(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['media-src']).toContain('auscult-audio:');
    expect(directives['connect-src']).toContain('auscult-audio:');
  });
});
