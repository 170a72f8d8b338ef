import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { AppService } from '../../src/app/services/app-service.ts';
import { appInternals } from '../../src/app/internals.ts';
import { startWebServer, type WebServer } from '../../src/server/web-server.ts';
import { parseRange } from '../../src/app/services/byte-range.ts';
import { createHttpClient } from '../../src/shared/http-client.ts';
import { REAL_DATA_DIR } from '../helpers/shared.ts';
import { registerMimiiRecording, tempDir } from '../app/helpers/workspace.ts';

let t: ReturnType<typeof tempDir>;
let app: AppService;
let server: WebServer;
let secured: WebServer;
const TOKEN = 's3cret-token-for-tests';
const realFile = path.join(REAL_DATA_DIR, 'mimii-8ch', 'fan_id_00', 'normal_00000005.wav');
let recordingId: number;

/** Raw HTTP request (fetch would normalise the traversal attempts away). */
function raw(
  port: number,
  method: string,
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const json = (port: number, url: string, body: unknown, headers: Record<string, string> = {}) =>
  raw(port, 'POST', url, JSON.stringify(body), { 'content-type': 'application/json', ...headers }).then(
    (r) => ({ ...r, json: JSON.parse(r.body.toString()) }),
  );

beforeAll(async () => {
  t = tempDir();
  const rendererDir = path.join(t.dir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Auscult</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false });
  const p = appInternals(app).ws.projects.create({ name: 'line' });
  recordingId = registerMimiiRecording(appInternals(app).ws, p.id, realFile);
  server = await startWebServer(app, { port: 0, rendererDir, bodyLimitBytes: 64 * 1024, noToken: true });
  secured = await startWebServer(app, {
    port: 0,
    rendererDir,
    token: TOKEN,
    importRoots: [path.join(t.dir, 'allowed')],
  });
});
afterAll(async () => {
  await server.close();
  await secured.close();
  await app.close();
  t.cleanup();
});

describe('web mode HTTP API', () => {
  it('answers health and binds loopback by default', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await raw(server.port, 'GET', '/api/health');
    expect(JSON.parse(r.body.toString())).toMatchObject({
      ok: true,
      tfBackend: expect.any(String),
      version: expect.any(String),
    });
  });

  it('calls contract methods with JSON arguments', async () => {
    const created = await json(server.port, '/api/projects/create', {
      name: 'Press line',
      description: 'hall 2',
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ name: 'Press line', description: 'hall 2' });
    const list = await json(server.port, '/api/projects/list', {});
    expect(list.json.map((p: { name: string }) => p.name)).toEqual(['line', 'Press line']);
    const rec = await json(server.port, '/api/recordings/get', { recordingId });
    expect(rec.json.recording.fileName).toBe('normal_00000005.wav');
  });

  it('rejects invalid arguments, unknown methods, malformed JSON and oversized bodies with clear 4xx errors', async () => {
    const bad = await json(server.port, '/api/projects/create', { name: 42 });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'bad_request', issues: [{ path: 'name' }] });
    const unknown = await json(server.port, '/api/projects/explode', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toMatch(/unknown API method "projects\/explode"/);
    const missing = await json(server.port, '/api/projects/get', { projectId: 12345 });
    expect(missing.status).toBe(404);
    const malformed = await raw(server.port, 'POST', '/api/projects/create', '{"name": "x",', {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body.toString()).error).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/JSON/),
    });
    const notObject = await raw(server.port, 'POST', '/api/projects/list', '[1,2]', {
      'content-type': 'application/json',
    });
    expect(notObject.status).toBe(400);
    const huge = await raw(
      server.port,
      'POST',
      '/api/projects/create',
      JSON.stringify({ name: 'x'.repeat(100_000) }),
      { 'content-type': 'application/json' },
    );
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body.toString()).error.code).toBe('payload_too_large');
  });

  it('never serves a path outside the renderer and only registered recordings as audio', async () => {
    const passwd = fs.existsSync('/etc/passwd')
      ? fs.readFileSync('/etc/passwd', 'utf8').slice(0, 20)
      : 'root:';
    for (const url of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/..%5c..%5cetc%5cpasswd',
      '/api/recordings/..%2f..%2fetc%2fpasswd/audio',
      '/api/recordings/1%2f..%2f..%2fetc/audio',
    ]) {
      const r = await raw(server.port, 'GET', url);
      expect(r.body.toString()).not.toContain(passwd);
      if (r.status === 200) expect(r.body.toString()).toContain('<title>Auscult</title>');
      else expect(r.status).toBeGreaterThanOrEqual(400);
    }
    expect((await raw(server.port, 'GET', '/api/recordings/999/audio')).status).toBe(404);
    expect((await raw(server.port, 'GET', '/assets/app.js')).body.toString()).toBe('console.log(1)');
    expect((await raw(server.port, 'GET', '/projects/1')).body.toString()).toContain(
      '<title>Auscult</title>',
    );
    expect((await raw(server.port, 'GET', '/assets/missing.js')).status).toBe(404);
  });

  it('streams audio by recording id with Range support', async () => {
    const bytes = fs.readFileSync(realFile);
    const full = await raw(server.port, 'GET', `/api/recordings/${recordingId}/audio`);
    expect(full.status).toBe(200);
    expect(full.headers['content-type']).toBe('audio/wav');
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.body.equals(bytes)).toBe(true);
    const part = await raw(server.port, 'GET', `/api/recordings/${recordingId}/audio`, undefined, {
      range: 'bytes=100-199',
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await raw(server.port, 'GET', `/api/recordings/${recordingId}/audio`, undefined, {
      range: 'bytes=-10',
    });
    expect(tail.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const beyond = await raw(server.port, 'GET', `/api/recordings/${recordingId}/audio`, undefined, {
      range: `bytes=${bytes.length + 5}-`,
    });
    expect(beyond.status).toBe(416);
  });

  it('requires the token when one is set, and refuses a non-loopback address without one', async () => {
    expect((await json(secured.port, '/api/projects/list', {})).status).toBe(401);
    expect(
      (await json(secured.port, '/api/projects/list', {}, { authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    expect(
      (await json(secured.port, '/api/projects/list', {}, { authorization: `Bearer ${TOKEN}` })).status,
    ).toBe(200);
    expect(
      (
        await raw(secured.port, 'GET', `/api/recordings/${recordingId}/audio?token=${TOKEN}`, undefined, {
          range: 'bytes=0-3',
        })
      ).body.toString(),
    ).toBe('RIFF');
    expect((await raw(secured.port, 'GET', '/api/health')).status).toBe(200);
    await expect(startWebServer(app, { host: '0.0.0.0', port: 0, noToken: true })).rejects.toThrow(
      /--no-token is allowed on a loopback address only/,
    );
  });

  it('imports over HTTP only from the allowed folders', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    fs.mkdirSync(path.join(t.dir, 'allowed', 'fan'), { recursive: true });
    for (const src of [
      '/etc',
      path.join(t.dir, 'allowed', '..', 'renderer'),
      path.join(t.dir, 'allowed', 'fan', '..', '..'),
    ]) {
      const r = await json(secured.port, '/api/recordings/import', { projectId: 1, sources: [src] }, auth);
      expect(r.status, src).toBe(403);
      expect(r.json.error.code).toBe('forbidden');
    }
    const watch = await json(secured.port, '/api/projects/watch', { projectId: 1, dir: '/tmp' }, auth);
    expect(watch.status).toBe(403);
    const ok = await json(
      secured.port,
      '/api/recordings/import',
      { projectId: 1, sources: [path.join(t.dir, 'allowed', 'fan')] },
      auth,
    );
    expect(ok.status).toBe(200);
    await appInternals(app).jobs.waitFor(ok.json.id);
  });

  it('pushes job events over server-sent events', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: '/api/events' }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          const m = /event: job\ndata: (.*)\n\n/.exec(buf);
          if (m) {
            req.destroy();
            resolve(m[1]!);
          }
        });
      });
      req.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 100));
    const job = await json(server.port, '/api/recordings/import', {
      projectId: 1,
      sources: [path.join(t.dir, 'nothing-here')],
    });
    expect(job.status).toBe(200);
    const event = JSON.parse(await received);
    expect(event).toMatchObject({ id: job.json.id, kind: 'import' });
    await appInternals(app).jobs.waitFor(job.json.id);
  });
});

describe('typed HTTP client', () => {
  it('calls the contract and turns error replies into ApiErrors', async () => {
    const client = createHttpClient({ baseUrl: secured.url, token: TOKEN });
    const projects = await client.call('projects/list', {});
    expect(projects.map((p) => p.name)).toContain('line');
    await expect(client.call('projects/get', { projectId: 4242 })).rejects.toMatchObject({
      name: 'ApiError',
      code: 'not_found',
    });
    const anonymous = createHttpClient({ baseUrl: secured.url });
    await expect(anonymous.call('projects/list', {})).rejects.toMatchObject({ code: 'unauthorized' });
    const audio = await fetch(client.audioUrl(recordingId), { headers: { range: 'bytes=0-3' } });
    expect(await audio.text()).toBe('RIFF');
  });
});

describe('parseRange', () => {
  it('handles the RFC forms', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
  });
});
