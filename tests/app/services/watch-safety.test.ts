/**
 * Issue 9, findings 5 and 9: a watched folder does not follow symbolic links out of itself, its
 * periodic listing is asynchronous and bounded, and system folders cannot be watched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { checkWatchable, listAudioFiles, WatchedFolders } from '../../../src/app/services/watch.ts';
import type { Project } from '../../../src/shared/domain.ts';
import { tempDir } from '../helpers/workspace.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const project = (watchDir: string): Project => ({
  id: 1,
  name: 'line',
  description: '',
  activeModelId: null,
  watchDir,
  watchCopy: false,
  createdAt: '',
});

describe('watched folders are bounded and stay inside themselves', () => {
  it('refuses the file-system root and system folders', () => {
    expect(() => checkWatchable('/')).toThrow(/\/: the root of a file system cannot be watched/);
    expect(() => checkWatchable('/proc')).toThrow(/system folders cannot be watched/);
    expect(() => checkWatchable('/dev/')).toThrow(/system folders cannot be watched/);
    expect(() => checkWatchable('/no/such/folder')).toThrow(/does not exist or is not a folder/);
  });

  it('lists asynchronously, without following links, and within the depth and entry bounds', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dir = path.join(t.dir, 'incoming');
    const outside = path.join(t.dir, 'outside');
    fs.mkdirSync(path.join(dir, 'a', 'b', 'c'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'private.wav'), 'x');
    fs.symlinkSync(outside, path.join(dir, 'link'));
    fs.symlinkSync(path.join(outside, 'private.wav'), path.join(dir, 'file-link.wav'));
    fs.writeFileSync(path.join(dir, 'top.wav'), 'x');
    fs.writeFileSync(path.join(dir, 'a', 'one.wav'), 'x');
    fs.writeFileSync(path.join(dir, 'a', 'b', 'c', 'deep.wav'), 'x');
    const listing = listAudioFiles(dir, { maxDepth: 8, maxEntries: 1000 });
    expect(listing).toBeInstanceOf(Promise); // the server's event loop is not held by the walk
    const names = (await listing).map((f) => path.relative(dir, f.file)).sort();
    expect(names).toEqual(['a/b/c/deep.wav', 'a/one.wav', 'top.wav']);
    const shallow = (await listAudioFiles(dir, { maxDepth: 1, maxEntries: 1000 })).map((f) =>
      path.relative(dir, f.file),
    );
    expect(shallow.sort()).toEqual(['a/one.wav', 'top.wav']);
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(dir, `n${i}.wav`), 'x');
    expect((await listAudioFiles(dir, { maxDepth: 8, maxEntries: 20 })).length).toBeLessThanOrEqual(20);
  });

  it('hands over no file reached through a link to outside the folder', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const dir = path.join(t.dir, 'incoming');
    const outside = path.join(t.dir, 'outside');
    fs.mkdirSync(dir);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'private.wav'), 'outside');
    fs.symlinkSync(outside, path.join(dir, 'link'));
    const batches: string[][] = [];
    const watched = new WatchedFolders({
      onFiles: (_p, files) => batches.push(files),
      batchMs: 50,
      stableMs: 50,
      rescanMs: 100,
      usePolling: true,
    });
    cleanups.push(() => watched.close());
    await watched.sync(project(dir));
    const own = path.join(dir, 'own.wav');
    fs.writeFileSync(own, 'inside');
    fs.writeFileSync(path.join(outside, 'later.wav'), 'outside, written after the watch started');
    const deadline = Date.now() + 15_000;
    while (!batches.flat().includes(own) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // A few more listings pass: still nothing from outside.
    await new Promise((r) => setTimeout(r, 500));
    expect(batches.flat()).toContain(own);
    expect(batches.flat().filter((f) => f.includes('private') || f.includes('later'))).toEqual([]);
  });
});
