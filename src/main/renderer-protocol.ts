/**
 * Serves the built renderer as `auscult-app://renderer/…` instead of file:// (Electron's checklist:
 * a custom protocol gives the app a real origin, confines it to one folder and lets every page
 * carry the CSP header). Client-side routes get index.html; nothing outside the folder is read.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { contentTypeOf } from '../app/content-types.ts';
import { CONTENT_SECURITY_POLICY } from './security.ts';

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    },
  });
}

export function rendererProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  const index = path.join(root, 'index.html');
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return plain(400, 'malformed URL');
    }
    const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
    if (file !== root && !file.startsWith(root + path.sep)) return plain(404, 'not found');
    const isFile = await fs.stat(file).then(
      (s) => s.isFile(),
      () => false,
    );
    // Client-side routes (no extension) get the app; a missing asset is a 404.
    const target = isFile ? file : path.extname(file) ? undefined : index;
    if (!target) return plain(404, 'not found');
    let body: Buffer;
    try {
      body = await fs.readFile(target);
    } catch {
      return plain(404, `the renderer is not built (no ${target}): run "npm run build"`);
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(target),
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  };
}
