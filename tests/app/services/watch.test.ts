import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { WatchedFolders } from '../../../src/app/services/watch.ts';
import type { Project } from '../../../src/shared/domain.ts';
import { tempDir } from '../helpers/workspace.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function project(watchDir: string): Project {
  return { id: 1, name: 'line', description: '', activeModelId: null, watchDir, watchCopy: false, createdAt: '' };
}

/** Resolves with the next batch of files handed over. */
function nextBatch(batches: string[][], count: number, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (batches.length >= count) return resolve(batches[count - 1]!);
      if (Date.now() > deadline) return reject(new Error(`no batch ${count} within ${timeoutMs} ms`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

describe('WatchedFolders', () => {
  it('hands over new audio files, ignores other files, and re-takes a file rewritten in place', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dir = path.join(t.dir, 'incoming');
    fs.mkdirSync(path.join(dir, 'fan_id_00'), { recursive: true });
    const batches: string[][] = [];
    const watched = new WatchedFolders({
      onFiles: (_p, files) => batches.push(files),
      batchMs: 50,
      stableMs: 100,
      rescanMs: 200,
      usePolling: true,
    });
    cleanups.push(() => watched.close());
    await watched.sync(project(dir));

    const clip = path.join(dir, 'fan_id_00', 'clip.wav');
    fs.writeFileSync(path.join(dir, 'fan_id_00', 'notes.txt'), 'not audio');
    fs.writeFileSync(clip, 'first take');
    expect(await nextBatch(batches, 1)).toEqual([clip]);

    // A recorder that overwrites the same file: the watcher reports no new file ('change' is not
    // an arrival); the periodic listing sees the new modification time and hands it over again.
    fs.writeFileSync(clip, 'second take');
    const earlier = new Date(Date.now() - 60_000); // a modification time surely unlike the first
    fs.utimesSync(clip, earlier, earlier);
    expect(await nextBatch(batches, 2)).toEqual([clip]);

    // Unchanged files are not handed over again by later listings.
    await new Promise((r) => setTimeout(r, 700));
    expect(batches).toHaveLength(2);
  });
});
