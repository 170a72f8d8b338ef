/**
 * Application-layer figures: import throughput through a real job process, and API latency of
 * the dashboard queries over HTTP on a project of 10,000 scored recordings (also while an
 * import runs in its job process).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '../src/engine/audio/wav-encode.ts';
import { AppService } from '../src/app/services/app-service.ts';
import { appInternals } from '../src/app/internals.ts';
import { ensureBaselineModel } from '../src/app/services/baseline.ts';
import { startWebServer, type WebServer } from '../src/server/web-server.ts';
import type { Benchmark } from './harness.ts';
import { ratePerS, timeMs } from './harness.ts';

const IMPORT_FILES = 300;
const DASHBOARD_RECORDINGS = 10_000;
const MACHINES = 10;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'auscult-bench-app-'));
const clipsDir = path.join(root, 'clips');
let runs = 0;

/** 10-s mono 16-bit clips, distinct content (so nothing is de-duplicated). */
function writeClips(): void {
  if (fs.existsSync(clipsDir)) return;
  for (let m = 0; m < 3; m++) fs.mkdirSync(path.join(clipsDir, `fan_id_0${m}`), { recursive: true });
  const n = 160_000;
  for (let i = 0; i < IMPORT_FILES; i++) {
    const x = new Float32Array(n);
    let s = i + 1;
    for (let k = 0; k < n; k++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      x[k] = 0.2 * Math.sin((2 * Math.PI * 440 * k) / 16000) + 0.1 * (s / 2 ** 32 - 0.5);
    }
    fs.writeFileSync(
      path.join(clipsDir, `fan_id_0${i % 3}`, `normal_${i}.wav`),
      encodeWav([x], 16000, { kind: 'pcm', bits: 16 }),
    );
  }
}

/** A project with 10,000 recordings over 10 machines, each scored, with thresholds and ~5 % alarms. */
function seedLargeProject(app: AppService): number {
  const { ws } = appInternals(app);
  const p = ws.projects.create({ name: 'large line' });
  const model = ensureBaselineModel(ws, p.id);
  ws.transaction(() => {
    const machines = Array.from({ length: MACHINES }, (_, i) =>
      ws.machines.create({
        projectId: p.id,
        type: ['fan', 'pump'][i % 2]!,
        name: `id_${String(i).padStart(2, '0')}`,
      }),
    );
    const thresholds = machines.map((m) =>
      ws.thresholds.set({
        machineId: m.id,
        modelId: model.id,
        value: 0.95,
        method: 'default-quantile',
        quantile: 0.9,
        setBy: 'bench',
      }),
    );
    for (let i = 0; i < DASHBOARD_RECORDINGS; i++) {
      const mi = i % MACHINES;
      const role = i % 10 < 2 ? 'train' : 'monitor';
      const rec = ws.recordings.insert({
        projectId: p.id,
        machineId: machines[mi]!.id,
        path: `/data/line/${i}.wav`,
        storage: 'referenced',
        originalPath: `/data/line/${i}.wav`,
        fileName: `${i}.wav`,
        contentHash: i.toString(16).padStart(64, '0'),
        format: { container: 'wav', codec: 'pcm_s16le', channels: 1, sampleRateHz: 16000, bitsPerSample: 16 },
        durationS: 10,
        role,
        label: 'unknown',
        source: 'import',
      });
      if (role === 'train') continue;
      const value = ((i * 7919) % 1000) / 1000;
      const score = ws.scores.upsert({
        recordingId: rec.id,
        modelId: model.id,
        backend: 'mean-logmel',
        clipScore: value,
        windowScores: [value],
        windowStartsS: [0],
      });
      if (value >= 0.95)
        ws.alarms.raise({
          recordingId: rec.id,
          scoreId: score.id,
          thresholdId: thresholds[mi]!.id,
          scoreValue: value,
          thresholdValue: 0.95,
        });
    }
  });
  return p.id;
}

// Shared by the latency figures; the last figure closes it.
let dash:
  | { app: AppService; server: WebServer; projectId: number; machineId: number; importProjectId: number }
  | undefined;

async function dashboard(): Promise<NonNullable<typeof dash>> {
  if (dash) return dash;
  const app = AppService.open(path.join(root, 'dashboard-ws'), { watch: false });
  const projectId = seedLargeProject(app);
  const server = await startWebServer(app, { port: 0 });
  const importProjectId = appInternals(app).ws.projects.create({ name: 'importing' }).id;
  dash = { app, server, projectId, machineId: appInternals(app).ws.machines.list(projectId)[3]!.id, importProjectId };
  return dash;
}

async function post(method: string, body: unknown): Promise<unknown> {
  const d = await dashboard();
  const res = await fetch(`${d.server.url}api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${d.server.token}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

function latency(name: string, method: string, args: () => Promise<unknown>): Benchmark {
  return {
    name,
    unit: 'ms',
    compare: 'interactive target < 100 ms',
    reps: 15,
    setup: async () => {
      await dashboard();
      await post(method, await args()); // warm statement cache
    },
    run: async () => {
      const a = await args();
      return timeMs(() => post(method, a));
    },
  };
}

export const benchmarks: Benchmark[] = [
  {
    name: `import ${IMPORT_FILES} 10-s WAV files (job process)`,
    unit: 'files/s',
    compare: '10,000 files in < 30 min ⇒ ≥ 5.6 files/s',
    reps: 3,
    setup: writeClips,
    run: async () => {
      const app = AppService.open(path.join(root, `import-ws-${++runs}`), { watch: false });
      try {
        const p = appInternals(app).ws.projects.create({ name: 'import bench' });
        let rate = 0;
        rate = await ratePerS(IMPORT_FILES, async () => {
          const job = appInternals(app).jobs.enqueue('import', { projectId: p.id, sources: [clipsDir] }, p.id);
          const done = await appInternals(app).jobs.waitFor(job.id);
          if (done.status !== 'succeeded' || done.result?.imported !== IMPORT_FILES)
            throw new Error(`import ${done.status}: ${done.error ?? JSON.stringify(done.result)}`);
        });
        return rate;
      } finally {
        // Stop before the chained scoring job spends CPU on the next sample.
        await app.close();
      }
    },
  },
  latency(
    `dashboard/summary, ${DASHBOARD_RECORDINGS} recordings, ${MACHINES} machines (HTTP)`,
    'dashboard/summary',
    async () => ({ projectId: (await dashboard()).projectId }),
  ),
  latency('recordings/list page of 100, newest first (HTTP)', 'recordings/list', async () => ({
    projectId: (await dashboard()).projectId,
    limit: 100,
  })),
  latency('recordings/list one machine, page 5 (HTTP)', 'recordings/list', async () => {
    const d = await dashboard();
    return { projectId: d.projectId, machineId: d.machineId, limit: 100, offset: 400 };
  }),
  latency('alarms/list open alarms (HTTP)', 'alarms/list', async () => ({
    projectId: (await dashboard()).projectId,
    status: ['new', 'acknowledged'],
  })),
  {
    name: 'dashboard/summary while an import job runs (HTTP)',
    unit: 'ms',
    compare: 'same target: the import must not block the API',
    reps: 15,
    setup: async () => {
      writeClips();
      const d = await dashboard();
      const job = appInternals(d.app).jobs.enqueue(
        'import',
        { projectId: d.importProjectId, sources: [clipsDir] },
        d.importProjectId,
      );
      // Measure only once the job process is importing.
      await new Promise<void>((resolve) => {
        const off = appInternals(d.app).jobs.on('job', (j) => {
          if (j.id === job.id && j.progress > 0.02) {
            off();
            resolve();
          }
        });
      });
    },
    run: async () => {
      const d = await dashboard();
      const running = appInternals(d.app).ws.jobs.list({ projectId: d.importProjectId, status: ['running'] }).length;
      if (!running) throw new Error('the import finished before the measurement: increase IMPORT_FILES');
      return timeMs(() => post('dashboard/summary', { projectId: d.projectId }));
    },
    teardown: async () => {
      const d = dash;
      dash = undefined;
      if (!d) return;
      await d.server.close();
      await d.app.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  },
];
