import { LOGMEL_CANDIDATES } from '../../src/engine/detectors/label-free.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir, writeTinyLine } from '../app/helpers/workspace.ts';

const bin = path.resolve(__dirname, '../../bin/auscult.mjs');
const run = promisify(execFile);
let t: ReturnType<typeof tempDir>;
let env: NodeJS.ProcessEnv;

async function auscult(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, ...args], { env, timeout: 180_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  t = tempDir();
  env = { ...process.env, AUSCULT_HOME: path.join(t.dir, 'home') };
  writeTinyLine(path.join(t.dir, 'line'), { trainPerMachine: 5, testPerMachine: 2 });
  fs.writeFileSync(path.join(t.dir, 'line', 'train', 'fan_id_00', 'corrupt.wav'), 'RIFF....WAVEjunk');
});
afterAll(() => t.cleanup());

describe('auscult project / import / score / status / alarms', () => {
  it('creates and lists projects, imports with per-file errors, scores and reports', async () => {
    expect((await auscult('project', 'create', 'Line A', '-d', 'hall 1')).stdout).toMatch(
      /created project 1 "Line A"/,
    );
    const dup = await auscult('project', 'create', 'Line A');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/auscult: a project named "Line A" already exists/);
    const list = JSON.parse((await auscult('project', 'list', '--json')).stdout);
    expect(list).toMatchObject([{ id: 1, name: 'Line A', description: 'hall 1' }]);

    const imp = await auscult('import', 'Line A', path.join(t.dir, 'line', 'train'), '--no-progress');
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/^10 imported, 0 already in the project, 1 failed \(of 11 audio files found\)/);
    expect(imp.stdout).toMatch(/failed: .*corrupt\.wav: /);

    const mon = JSON.parse(
      (await auscult('import', '1', path.join(t.dir, 'line', 'test'), '--role', 'monitor', '--json')).stdout,
    );
    expect(mon.import).toMatchObject({ imported: 8, failed: 0 });
    expect(mon.scoring[0]).toMatchObject({
      status: 'succeeded',
      result: { scored: 8, backend: 'mean-logmel' },
    });

    const status = JSON.parse((await auscult('status', '--json')).stdout);
    expect(status.workspace).toBe(env.AUSCULT_HOME);
    const machines = status.projects[0].machines;
    expect(machines.map((m: { machine: { type: string } }) => m.machine.type)).toEqual(['fan', 'pump']);
    for (const m of machines) {
      // The model is the training-free one; each machine is scored by its chosen log-Mel detector.
      expect(m).toMatchObject({
        trainCount: 5,
        scoredCount: 4,
        detector: { basis: 'label-free estimate' },
        threshold: expect.any(Number),
      });
      expect(m.backend).toBe(m.detector.kind);
      expect(LOGMEL_CANDIDATES).toContain(m.backend);
    }

    const alarms = JSON.parse((await auscult('alarms', 'Line A', '--json')).stdout) as {
      id: number;
      status: string;
    }[];
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    const triaged = await auscult(
      'alarms',
      'Line A',
      '--set',
      String(alarms[0]!.id),
      '--as',
      'confirmed_anomaly',
      '--note',
      'bearing',
    );
    expect(triaged.stdout).toMatch(/is now confirmed_anomaly/);
    const open = JSON.parse((await auscult('alarms', 'Line A', '--json')).stdout) as unknown[];
    expect(open).toHaveLength(alarms.length - 1);

    const rescore = JSON.parse((await auscult('score', 'Line A', '--json')).stdout);
    expect(rescore).toMatchObject({ scored: 0, backend: 'mean-logmel' });
    const missing = await auscult('import', 'No such line', t.dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/auscult: no project "No such line".*"Line A" \(1\)/);
    const noTraining = await auscult('train', '--project', 'Line A', '--resume');
    expect(noTraining.stderr).toMatch(
      /auscult: project "Line A" has no interrupted or failed training to resume/,
    );
    const badRole = await auscult('import', 'Line A', t.dir, '--role', 'bogus');
    expect(badRole.stderr).toMatch(/--role must be one of train, test, monitor/);
  }, 900_000); // real imports, scoring and a dozen CLI processes: minutes on a loaded 2-core machine

  it('an import that imports nothing fails with exit code 1 and says why', async () => {
    fs.mkdirSync(path.join(t.dir, 'empty'), { recursive: true });
    const empty = await auscult('import', 'Line A', path.join(t.dir, 'empty'), '--no-progress');
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/^0 imported, 0 already in the project, 0 failed \(of 0 audio files found\)/);
    expect(empty.stderr).toMatch(/import job \d+ failed: no audio files \(\.wav, \.flac\) found in .*empty/);
  });

  it('machines, thresholds get/set/undo/history and recordings, through the contract', async () => {
    const machines = await auscult('machines', 'Line A');
    expect(machines.code, machines.stderr).toBe(0);
    expect(machines.stdout).toMatch(/fan\/id_00\s+(ok|watch|alarm)\s/);
    const view = JSON.parse((await auscult('thresholds', 'get', 'Line A', 'fan/id_00', '--json')).stdout);
    expect(view.heldoutMedian).toEqual(expect.any(Number));
    const low = String(view.heldoutMedian); // every monitor clip above the median alarms
    const dry = await auscult('thresholds', 'set', 'Line A', 'fan/id_00', '--value', low, '--dry-run');
    expect(dry.stdout).toMatch(/would raise \d+ alarm\(s\) and clear 0 untriaged alarm\(s\)/);
    const set = JSON.parse((await auscult('thresholds', 'set', 'Line A', 'fan/id_00', '--value', low, '--json')).stdout);
    expect(set.threshold.value).toBe(view.heldoutMedian);
    expect(set.change.from).toBe(view.threshold.value);
    const undo = await auscult('thresholds', 'undo', 'Line A', 'fan/id_00');
    expect(undo.stdout).toMatch(/^threshold [-\d.]+ → [-\d.]+: did raise 0 alarm\(s\) and clear \d+ untriaged alarm\(s\)/);
    const history = await auscult('thresholds', 'history', 'Line A', 'fan/id_00');
    expect(history.stdout.trim().split('\n')).toHaveLength(3);
    expect(history.stdout).toMatch(/^\*/);
    const bad = await auscult('thresholds', 'set', 'Line A', 'fan/id_00', '--far', '2');
    expect(bad.stderr).toMatch(/--far must be a number in \[0, 1\]/);
    const noMachine = await auscult('thresholds', 'get', 'Line A', 'drill/id_09');
    expect(noMachine.stderr).toMatch(/no machine "drill\/id_09" in "Line A"; machines: fan\/id_00 \(\d+\), pump\/id_00/);
    const recs = await auscult('recordings', 'list', 'Line A', '--role', 'monitor', '--machine', 'fan/id_00');
    expect(recs.stdout).toMatch(/^4 of 4 recordings/);
    expect(recs.stdout).toMatch(/monitor\s+(normal|anomaly)\s+-?\d+\.\d\d/);
  }, 600_000);

  it('a closed output pipe ends the command quietly (auscult status | head)', async () => {
    const child = spawn(process.execPath, [bin, 'recordings', 'list', 'Line A', '--limit', '1000'], { env });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Read one chunk, then close the pipe like `head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});

describe('auscult serve', () => {
  it('prints its URL with a per-launch token on one line and answers the API until stopped', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env });
    let token = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /^Auscult web mode: (http:\/\/127\.0\.0\.1:\d+\/)\?token=([\w-]{32})$/m.exec(out);
          if (m) resolve(m[1]!);
          if (m) token = m[2]!;
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const health = (await (await fetch(`${url}api/health`)).json()) as { ok: boolean };
      expect(health.ok).toBe(true);
      const projects = (await (
        await fetch(`${url}api/projects/list`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: '{}',
        })
      ).json()) as { name: string }[];
      expect(projects.map((p) => p.name)).toEqual(['Line A']);
    } finally {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses to bind a non-loopback address without a token', async () => {
    const r = await auscult('serve', '--host', '0.0.0.0', '--port', '0', '--no-token');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/auscult: binding 0\.0\.0\.0 .* loopback address only/);
  });
});

describe('auscult demo', () => {
  it('builds a small demo line with baseline scores and alarms, and is idempotent', async () => {
    const home = path.join(t.dir, 'demo-home');
    const args = [
      'demo',
      '-w',
      home,
      '--types',
      'fan,pump',
      '--ids',
      '1',
      '--train-clips',
      '4',
      '--test-clips',
      '4',
      '--duration',
      '3',
      '--no-train',
      '--no-progress',
      '--json',
    ];
    const first = await auscult(...args);
    expect(first.code, first.stderr).toBe(0);
    const r = JSON.parse(first.stdout);
    expect(r).toMatchObject({ built: true, machines: 2, recordings: 16, learnedModelId: null });
    expect(r.baselineModelId).toEqual(expect.any(Number));
    const again = JSON.parse((await auscult(...args)).stdout);
    expect(again).toMatchObject({ built: false, projectId: r.projectId, recordings: 16 });
  }, 240_000);
});
