/**
 * Issue 9, findings 1, 2, 6 and 9, against a real `auscult serve` child process: token bypass by
 * URL spelling, DNS rebinding (foreign Host) and foreign Origins, the audio route serving whatever
 * is at the stored path now, and the smaller web-mode findings (SSE cap, headers, `?token=` on POST,
 * deleting a project under a running job, watching `/`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Workspace } from '../../src/app/workspace.ts';
import { gateReached } from '../../src/app/jobs/test-gate.ts';
import { REAL_DATA_DIR, REPO_DIR } from '../helpers/shared.ts';
import { registerMimiiRecording, tempDir, writeToneWav } from '../app/helpers/workspace.ts';

const BIN = path.join(REPO_DIR, 'bin', 'auscult.mjs');
const realFile = path.join(REAL_DATA_DIR, 'mimii-8ch', 'fan_id_00', 'normal_00000005.wav');

let t: ReturnType<typeof tempDir>;
let child: ChildProcess;
let port: number;
let token: string;
let recordingId: number;
let audioPath: string;
let output = '';
let gateDir: string;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path goes on the wire exactly as written (no client normalisation). */
function request(
  method: string,
  url: string,
  opts: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        // A fresh connection per request: a kept-alive socket the server has just closed (after an
        // event stream) would otherwise fail the next request with "socket hang up".
        agent: false,
        method,
        path: url,
        headers: {
          host: `127.0.0.1:${port}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        // Event streams never end: read the head and the first chunk, then hang up.
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('latin1');
          if (res.headers['content-type'] === 'text/event-stream') req.destroy();
        });
        const done = () => resolve({ status: res.statusCode!, headers: res.headers, body: text });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const bearer = () => ({ authorization: `Bearer ${token}` });

/** The parsed JSON answer of a contract method called with the token. */
async function call<T>(method: string, body: unknown): Promise<T> {
  return JSON.parse((await request('POST', `/api/${method}`, { headers: bearer(), body })).body) as T;
}

/** Three tone clips in `<folder>/<machineFolder>/`; returns `<folder>` (the import source). */
function writeClips(folder: string, machineFolder: string, seed: number) {
  const clips = path.join(t.dir, folder, machineFolder);
  for (let i = 0; i < 3; i++) writeToneWav(path.join(clips, `normal_${i}.wav`), { seed: seed + i });
  return path.dirname(clips);
}

async function projectNames(): Promise<string[]> {
  const r = await request('POST', '/api/projects/list', { headers: bearer(), body: {} });
  return (JSON.parse(r.body) as { name: string }[]).map((p) => p.name);
}

beforeAll(async () => {
  t = tempDir();
  const ws = path.join(t.dir, 'ws');
  gateDir = path.join(t.dir, 'gate');
  fs.mkdirSync(gateDir);
  audioPath = path.join(t.dir, 'clips', 'fan_id_00', 'normal_00000005.wav');
  fs.mkdirSync(path.dirname(audioPath), { recursive: true });
  fs.copyFileSync(realFile, audioPath);
  const w = Workspace.open(ws);
  const p = w.projects.create({ name: 'line' });
  recordingId = registerMimiiRecording(w, p.id, audioPath);
  w.close();
  child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workspace', ws], {
    cwd: REPO_DIR,
    // Every job pauses after its first unit of work until released or cancelled (see test-gate.ts).
    env: { ...process.env, AUSCULT_TOKEN: '', AUSCULT_TEST_GATE_DIR: gateDir, AUSCULT_TEST_GATE_AFTER: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      const m = /^Auscult web mode: (\S+)$/m.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const url = new URL(printed);
  port = Number(url.port);
  token = url.searchParams.get('token') ?? '';
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  t.cleanup();
});

describe('finding 1: the token is checked on the routed path, whatever the spelling', () => {
  it('prints a per-launch random token in the URL, like Jupyter', () => {
    expect(token).toMatch(/^[\w-]{32}$/);
  });

  it('refuses every encoded, double-encoded, case-varied and dot-segment spelling of /api without the token', async () => {
    const spellings = (rest: string) => [
      `/api/${rest}`,
      `/%61pi/${rest}`,
      `/%2561pi/${rest}`,
      `/%41PI/${rest}`,
      `/API/${rest}`,
      `/Api/${rest}`,
      `/./api/${rest}`,
      `/x/../api/${rest}`,
      `/%2e/api/${rest}`,
      `/x/%2e%2e/api/${rest}`,
      `//api/${rest}`,
      `/api//${rest}`,
      `/api/./${rest}`,
      `/api/${rest.replace(/^(\w)/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
    ];
    const before = await projectNames();
    for (const url of spellings('projects/create')) {
      const r = await request('POST', url, { body: { name: `pwned ${url}` } });
      expect(r.status, url).not.toBe(200);
      expect(r.body).not.toContain('pwned');
    }
    for (const url of spellings('projects/delete')) {
      const r = await request('POST', url, { body: { projectId: 1 } });
      expect(r.status, url).not.toBe(200);
    }
    expect(await projectNames()).toEqual(before);
    for (const url of [...spellings('events'), ...spellings(`recordings/${recordingId}/audio`)]) {
      const r = await request('GET', url);
      expect(r.status, url).not.toBe(200);
      expect(r.status, url).not.toBe(206);
      expect(r.body, url).not.toContain('RIFF');
      expect(r.headers['content-type'] ?? '', url).not.toMatch(/event-stream|audio/);
    }
    // The plain spelling is refused with a clear 401; with the token it works.
    const plain = await request('POST', '/api/projects/list', { body: {} });
    expect(plain.status).toBe(401);
    expect(JSON.parse(plain.body).error).toMatchObject({ code: 'unauthorized' });
    expect((await request('POST', '/api/projects/list', { headers: bearer(), body: {} })).status).toBe(200);
  });

  it('does not accept ?token= on a POST', async () => {
    const r = await request('POST', `/api/projects/create?token=${token}`, { body: { name: 'via query' } });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.message).toMatch(/not accepted in the URL of a POST/);
    expect(await projectNames()).not.toContain('via query');
  });

  it('trades ?token= on the start page for an HttpOnly, SameSite=Strict cookie that the API accepts', async () => {
    const wrong = await request('GET', '/?token=wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const noCookie = await request('GET', '/');
    expect(noCookie.status).toBe(401);
    expect(noCookie.body).toMatch(/needs its access token/);
    const start = await request('GET', `/dashboard?x=1&token=${token}`);
    expect(start.status).toBe(303);
    expect(start.headers.location).toBe('/dashboard?x=1'); // the token leaves the address bar
    const cookie = start.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    const list = await request('POST', '/api/projects/list', { headers: { cookie: pair }, body: {} });
    expect(list.status).toBe(200);
    const audio = await request('GET', `/api/recordings/${recordingId}/audio`, {
      headers: { cookie: pair, range: 'bytes=0-3' },
    });
    expect(audio.status).toBe(206);
    expect(audio.body).toBe('RIFF');
    const forged = await request('POST', '/api/projects/list', {
      headers: { cookie: pair.replace(/=.*/, '=forged') },
      body: {},
    });
    expect(forged.status).toBe(401);
  });
});

describe('finding 2: DNS rebinding and other sites', () => {
  it('refuses a foreign Host name with 421, even with the token', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`]) {
      const page = await request('GET', '/', { headers: { host } });
      expect(page.status, host).toBe(421);
      const api = await request('POST', '/api/projects/create', {
        headers: { host, ...bearer() },
        body: { name: 'rebound' },
      });
      expect(api.status, host).toBe(421);
      expect(JSON.parse(api.body).error.message).toMatch(/does not answer to the host name/);
    }
    expect(await projectNames()).not.toContain('rebound');
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`])
      expect(
        (await request('POST', '/api/projects/list', { headers: { host, ...bearer() }, body: {} })).status,
        host,
      ).toBe(200);
  });

  it('refuses requests from another Origin, even carrying the cookie', async () => {
    const cookie = `auscult_token_${port}=${token}`;
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      'null',
      `http://127.0.0.1:${port + 1}`,
    ]) {
      const r = await request('POST', '/api/projects/create', {
        headers: { origin, cookie },
        body: { name: 'cross-site' },
      });
      expect(r.status, origin).toBe(403);
    }
    expect(await projectNames()).not.toContain('cross-site');
    const same = await request('POST', '/api/projects/list', {
      headers: { origin: `http://127.0.0.1:${port}`, cookie },
      body: {},
    });
    expect(same.status).toBe(200);
  });
});

describe('finding 6: the audio route serves only the imported file', () => {
  const audio = (range?: string) =>
    request('GET', `/api/recordings/${recordingId}/audio`, {
      headers: { ...bearer(), ...(range ? { range } : {}) },
    });

  it('serves the imported bytes, then refuses a symlink, changed content or a missing file with 409/410', async () => {
    const original = fs.readFileSync(audioPath);
    const ok = await audio('bytes=0-3');
    expect(ok.status).toBe(206);
    expect(ok.body).toBe('RIFF');

    const secret = path.join(t.dir, 'secret.txt');
    fs.writeFileSync(secret, 'root:x:0:0:secret');
    fs.rmSync(audioPath);
    fs.symlinkSync(secret, audioPath);
    const link = await audio();
    expect(link.status).toBe(409);
    expect(link.body).not.toContain('secret');
    expect(JSON.parse(link.body).error).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/symbolic link/),
    });

    fs.rmSync(audioPath);
    const edited = Buffer.from(original);
    edited[edited.length - 1] ^= 0xff; // same size, other content
    fs.writeFileSync(audioPath, edited);
    const changed = await audio('bytes=0-3');
    expect(changed.status).toBe(409);
    expect(JSON.parse(changed.body).error.message).toMatch(/has changed since the import/);

    fs.rmSync(audioPath);
    const gone = await audio();
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body).error.message).toMatch(/is missing/);

    fs.writeFileSync(audioPath, original);
    const back = await audio();
    expect(back.status).toBe(200);
    expect(Buffer.from(back.body, 'latin1').equals(original)).toBe(true);
  });
});

describe('finding 9: the smaller web-mode findings', () => {
  it('puts nosniff, a CSP with frame-ancestors and no-referrer on every response', async () => {
    for (const r of [
      await request('GET', '/'),
      await request('GET', '/api/health'),
      await request('POST', '/api/projects/list', { headers: bearer(), body: {} }),
      await request('GET', `/api/recordings/${recordingId}/audio`, { headers: bearer() }),
      await request('GET', '/', { headers: { host: 'evil.example' } }),
    ]) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('caps the open event streams with a clear 503', async () => {
    const open: http.ClientRequest[] = [];
    const openStream = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(
          { host: '127.0.0.1', port, path: '/api/events', headers: bearer(), agent: false },
          (res) => {
            resolve(res.statusCode!);
            if (res.statusCode !== 200) res.resume();
          },
        );
        req.on('error', reject);
        open.push(req);
      });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 32; i++) statuses.push(await openStream());
      expect(statuses.every((s) => s === 200)).toBe(true);
      const over = await request('GET', '/api/events', { headers: bearer() });
      expect(over.status).toBe(503);
      expect(JSON.parse(over.body).error.message).toMatch(/too many open event streams \(32\)/);
      // Closing one frees its place.
      open.shift()!.destroy();
      await expect
        .poll(async () => (await request('GET', '/api/events', { headers: bearer() })).status)
        .toBe(200);
    } finally {
      for (const r of open) r.destroy();
    }
  });

  it('refuses to watch the root of the file system', async () => {
    const r = await request('POST', '/api/projects/watch', {
      headers: bearer(),
      body: { projectId: 1, dir: '/' },
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.message).toMatch(/root of a file system cannot be watched/);
  });

  it('deleting a project stops its running import first, and the event stream never says "undefined"', async () => {
    const source = writeClips('doomed', 'fan_id_00', 1);
    const project = await call<{ id: number }>('projects/create', { name: 'doomed' });
    // Listen to every event from before the import until after the delete.
    let events = '';
    const stream = http.get(
      { host: '127.0.0.1', port, path: '/api/events', headers: bearer(), agent: false },
      (res) => res.on('data', (c: Buffer) => (events += c.toString())),
    );
    try {
      await expect.poll(() => events).toContain(': connected');
      const job = await call<{ id: number }>('recordings/import', {
        projectId: project.id,
        sources: [source],
      });
      expect(await gateReached(gateDir, job.id)).toBe(1); // the job is mid-import, paused
      const del = await request('POST', '/api/projects/delete', {
        headers: bearer(),
        body: { projectId: project.id },
      });
      expect(del.status).toBe(200);
      expect(JSON.parse(del.body)).toEqual({ deleted: true });
      // The job was cancelled (and its final state sent) before the project went.
      await expect.poll(() => events).toMatch(new RegExp(`"id":${job.id},[^\n]*"status":"cancelled"`));
      const jobs = await request('POST', '/api/jobs/get', { headers: bearer(), body: { jobId: job.id } });
      expect(jobs.status).toBe(404);
      expect(await projectNames()).not.toContain('doomed');
    } finally {
      stream.destroy();
    }
    expect(events).not.toMatch(/data: undefined/);
    for (const m of events.matchAll(/^data: (.*)$/gm)) expect(() => JSON.parse(m[1]!)).not.toThrow();
  });

  it("deleting a machine also stops the project's running import first", async () => {
    const source = writeClips('machine-line', 'pump_id_03', 10);
    const project = await call<{ id: number }>('projects/create', { name: 'machine line' });
    const job = await call<{ id: number }>('recordings/import', { projectId: project.id, sources: [source] });
    await gateReached(gateDir, job.id); // one file imported: the machine exists, the job is paused
    const machines = await call<{ id: number; name: string }[]>('machines/list', { projectId: project.id });
    expect(machines.map((m) => m.name)).toEqual(['id_03']);
    const del = await request('POST', '/api/machines/delete', {
      headers: bearer(),
      body: { machineId: machines[0]!.id },
    });
    expect(del.status).toBe(200);
    const after = JSON.parse(
      (await request('POST', '/api/jobs/get', { headers: bearer(), body: { jobId: job.id } })).body,
    ) as { status: string };
    expect(after.status).toBe('cancelled'); // stopped before the machine went, not after
    const left = await call<unknown[]>('machines/list', { projectId: project.id });
    expect(left).toEqual([]); // and the cancelled job did not re-create it
  });
});
