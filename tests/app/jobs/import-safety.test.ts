/**
 * Issue 9, findings 3, 4 and 5: an import reads only regular audio files inside its roots, never
 * echoes a file's content, does not hang on a FIFO or run away on a device, and does not follow
 * symbolic links out of the import roots (the job process checks, not only the HTTP handler).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { JobManager } from '../../../src/app/jobs/job-manager.ts';
import { readImportFile } from '../../../src/app/services/file-safety.ts';
import { Workspace } from '../../../src/app/workspace.ts';
import { tempDir, writeToneWav } from '../helpers/workspace.ts';

let t: ReturnType<typeof tempDir>;
let ws: Workspace;
let jobs: JobManager | undefined;

beforeEach(() => {
  t = tempDir();
  ws = Workspace.open(path.join(t.dir, 'ws'));
});
afterEach(async () => {
  await jobs?.close();
  jobs = undefined;
  ws.close();
  t.cleanup();
});

async function importJob(params: Record<string, unknown>) {
  const p = ws.projects.create({ name: `line ${Math.random()}` });
  jobs ??= new JobManager(ws);
  const job = jobs.enqueue('import', { projectId: p.id, ...params } as never, p.id);
  const done = await jobs.waitFor(job.id);
  const errors = ws.recordings.importErrors({ projectId: p.id, jobId: job.id, limit: 100 });
  return { done, errors, recordings: ws.recordings.list({ projectId: p.id, limit: 100, offset: 0 }) };
}

describe('imports never echo file content (finding 3)', () => {
  it('names the file and the problem for /etc/passwd, a text file named .wav and an odd chunk, without their bytes', async () => {
    const secret = 'root:x:0:0:SECRET-LINE';
    const textWav = path.join(t.dir, 'in', 'notes.wav');
    fs.mkdirSync(path.dirname(textWav), { recursive: true });
    fs.writeFileSync(textWav, secret);
    // A RIFF/WAVE file whose first chunk id is four bytes of text.
    const oddChunk = path.join(t.dir, 'in', 'odd.wav');
    fs.writeFileSync(
      oddChunk,
      Buffer.concat([
        Buffer.from('RIFF\x20\x00\x00\x00WAVEsECr'),
        Buffer.from([0xff, 0xff, 0xff, 0x7f]),
        Buffer.alloc(16),
      ]),
    );
    const sources = [textWav, oddChunk, ...(fs.existsSync('/etc/passwd') ? ['/etc/passwd'] : [])];
    const { done, errors } = await importJob({ sources });
    // Nothing importable: the job fails, and says so; each file is listed with its error.
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/none of the \d audio files .* could be imported/);
    expect(errors).toHaveLength(sources.length);
    const text = errors.map((e) => e.error).join('\n');
    for (const leaked of ['root', 'SECRET', '72 6f', 'sECr', '73 45']) expect(text).not.toContain(leaked);
    expect(text).toMatch(/notes\.wav: not a WAV file: it does not start with "RIFF"/);
    expect(text).toMatch(/odd\.wav: absurd header: a chunk at byte 12 declares/);
    if (sources.includes('/etc/passwd'))
      expect(text).toMatch(
        /\/etc\/passwd: no extension: an audio file's; only \.wav and \.flac files are imported/,
      );
  });
});

describe('imports read regular files only (finding 4)', () => {
  it('refuses a FIFO and /dev/zero at once, with a clear message, and imports the rest', async () => {
    const dir = path.join(t.dir, 'in', 'fan_id_00');
    writeToneWav(path.join(dir, 'normal_0.wav'));
    const fifo = path.join(dir, 'pipe.wav');
    execFileSync('mkfifo', [fifo]);
    const zero = path.join(t.dir, 'zero.wav');
    fs.symlinkSync('/dev/zero', zero);
    const started = Date.now();
    const { done, errors, recordings } = await importJob({ sources: [dir, fifo, zero] });
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(recordings.map((r) => r.fileName)).toEqual(['normal_0.wav']);
    const text = errors.map((e) => e.error).join('\n');
    expect(text).toMatch(/pipe\.wav: is a named pipe \(FIFO\), not an audio file; not read/);
    expect(text).toMatch(/zero\.wav: is a character device, not an audio file; not read/);
  });

  it('caps the size before reading', async () => {
    const big = path.join(t.dir, 'big.wav');
    writeToneWav(big, { durationS: 2 });
    await expect(readImportFile(big, { maxFileBytes: 1000 })).rejects.toThrow(
      /big\.wav: the file is 64044 bytes; files over 1000 bytes are not imported/,
    );
    const { errors } = await importJob({ sources: [big], maxFileBytes: 1000 });
    expect(errors[0]!.error).toMatch(/files over 1000 bytes are not imported/);
  });
});

describe('symbolic links do not escape the import roots (finding 5)', () => {
  it('the job process refuses files reached through a link to outside the roots', async () => {
    const root = path.join(t.dir, 'root');
    const watched = path.join(root, 'watched');
    const outside = path.join(t.dir, 'outside');
    writeToneWav(path.join(watched, 'fan_id_00', 'normal_0.wav'), { seed: 1 });
    writeToneWav(path.join(outside, 'fan_id_00', 'private_0.wav'), { seed: 2 });
    fs.symlinkSync(outside, path.join(watched, 'link-to-outside'));
    fs.symlinkSync(
      path.join(outside, 'fan_id_00', 'private_0.wav'),
      path.join(watched, 'fan_id_00', 'file-link.wav'),
    );
    const { done, errors, recordings } = await importJob({
      sources: [
        watched,
        path.join(watched, 'link-to-outside'),
        path.join(watched, 'fan_id_00', 'file-link.wav'),
        path.join(watched, 'link-to-outside', 'fan_id_00', 'private_0.wav'),
      ],
      importRoots: [root],
    });
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(recordings.map((r) => r.fileName)).toEqual(['normal_0.wav']);
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e.error).toMatch(/outside the folders this server may import from/);
  });

  it('files of a watched folder are not followed through links, even inside the roots', async () => {
    const root = path.join(t.dir, 'root');
    const real = path.join(root, 'fan_id_00', 'normal_0.wav');
    writeToneWav(real, { seed: 3 });
    const link = path.join(root, 'fan_id_00', 'normal_link.wav');
    fs.symlinkSync(real, link);
    const { errors, recordings } = await importJob({
      sources: [real, link],
      source: 'watch',
      importRoots: [root],
    });
    expect(recordings.map((r) => r.fileName)).toEqual(['normal_0.wav']);
    expect(errors[0]!.error).toMatch(
      /normal_link\.wav: is a symbolic link; links in watched folders are not followed/,
    );
  });
});
