import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AppService } from '../../src/app/services/app-service.ts';
import { startWebServer, type WebServer } from '../../src/server/web-server.ts';
import { tempDir, writeToneWav } from '../app/helpers/workspace.ts';

/** Web mode: path completion and the import preview read only inside the import roots. */
let t: ReturnType<typeof tempDir>;
let app: AppService;
let server: WebServer;
let allowed: string;
let outside: string;

beforeAll(async () => {
  t = tempDir();
  allowed = path.join(t.dir, 'allowed');
  outside = path.join(t.dir, 'outside');
  writeToneWav(path.join(allowed, 'fan_id_00', 'normal_0.wav'));
  writeToneWav(path.join(outside, 'fan_id_00', 'normal_0.wav'));
  // A link inside the root that leads out of it.
  fs.symlinkSync(outside, path.join(allowed, 'escape'));
  app = AppService.open(path.join(t.dir, 'ws'), { watch: false, importRoots: [allowed] });
  server = await startWebServer(app, { port: 0, importRoots: [allowed], rendererDir: t.dir });
});
afterAll(async () => {
  await server.close();
  await app.close();
  t.cleanup();
});

const post = async (method: string, body: unknown) => {
  const res = await fetch(new URL(`api/${method}`, server.url), {
    method: 'POST',
    // Web mode requires its per-launch token on every API call.
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
};

describe('web mode: folder listing and import preview inside the import roots', () => {
  it('lists the roots, folders inside them, and refuses anything outside (also through a symlink)', async () => {
    const top = await post('files/listFolder', {});
    expect(top.status).toBe(200);
    expect(top.json).toMatchObject({ path: null, roots: [allowed] });
    const inside = await post('files/listFolder', { path: allowed });
    expect(inside.status).toBe(200);
    expect((inside.json.folders as { name: string }[]).map((f) => f.name)).toEqual(['fan_id_00']);
    for (const p of [outside, path.join(allowed, 'escape'), path.join(allowed, '..', 'outside'), '/']) {
      const r = await post('files/listFolder', { path: p });
      expect(r.status, p).toBe(403);
      expect(r.json.error!.code).toBe('forbidden');
    }
  });

  it('previews an import only of folders inside the roots', async () => {
    const p = await post('projects/create', { name: 'line' });
    const projectId = p.json.id as number;
    const ok = await post('recordings/importPreview', { projectId, sources: [allowed] });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ found: 1, willImport: 1 });
    const refused = await post('recordings/importPreview', { projectId, sources: [outside] });
    expect(refused.status).toBe(403);
    expect(refused.json.error!.message).toContain(outside);
  });
});
