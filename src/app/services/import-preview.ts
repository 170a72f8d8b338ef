import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { PREVIEW_CHECK_LIMIT, type ImportPreview, type ImportPreviewGroup } from '../../shared/api.ts';
import { decodeAudioBytesAsync } from '../../engine/audio/decode.ts';
import type { Workspace } from '../workspace.ts';
import { planImport, type ImportArgs } from './import-plan.ts';

/** Files listed in the preview's duplicate list (the counts cover all). */
const DUPLICATE_LIST_LIMIT = 200;

/**
 * The dry run of an import: the same plan (`planImport`) and the same decoder as the import job,
 * nothing written. Every file up to `PREVIEW_CHECK_LIMIT` is read, hashed and decoded, so a file
 * the preview accepts is one the import accepts (unless it changes in between). Runs in the
 * application process: it yields between files so that other requests are served meanwhile.
 */
export async function previewImport(ws: Workspace, args: ImportArgs): Promise<ImportPreview> {
  const plan = planImport(args);
  // Unreadable sources and files the mapping refuses fail before any file is read.
  const failures = [...plan.problems, ...plan.rejected].map((p) => ({ path: p.path, error: p.error }));
  const duplicateFiles: ImportPreview['duplicateFiles'] = [];
  const groups = new Map<string, ImportPreviewGroup>();
  const known = new Set(ws.machines.list(args.projectId).map((m) => `${m.type}\u0000${m.name}`));
  const seenHashes = new Map<string, string>();
  let duplicates = 0;
  let checked = 0;

  for (let i = 0; i < plan.files.length; i++) {
    const f = plan.files[i]!;
    let group = groups.get(f.groupKey);
    if (!group) {
      group = {
        key: f.groupKey,
        machine: {
          type: f.machineType,
          name: f.machineName,
          exists: known.has(`${f.machineType}\u0000${f.machineName}`),
        },
        role: f.role,
        label: f.label,
        mappedBy: f.mappedBy,
        files: 0,
        durationS: 0,
        duplicates: 0,
        failing: 0,
        examples: [],
      };
      groups.set(f.groupKey, group);
    }
    group.files++;
    if (group.examples.length < 3) group.examples.push(f.path);
    if (i >= PREVIEW_CHECK_LIMIT) continue;
    checked++;
    // One file at a time, yielding in between: the server keeps answering other requests.
    await new Promise((resolve) => setImmediate(resolve));
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(f.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      failures.push({ path: f.path, error: `${f.path}: cannot read file (${code})` });
      group.failing++;
      continue;
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    const existing = ws.recordings.byHash(args.projectId, hash);
    const earlier = seenHashes.get(hash);
    if (existing || earlier) {
      duplicates++;
      group.duplicates++;
      if (duplicateFiles.length < DUPLICATE_LIST_LIMIT)
        duplicateFiles.push({
          path: f.path,
          of: existing ? `${existing.fileName} (recording ${existing.id}, already in the line)` : earlier!,
        });
      continue;
    }
    seenHashes.set(hash, f.path);
    try {
      const decoded = await decodeAudioBytesAsync(bytes, f.path);
      group.durationS += decoded.source.durationS;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failures.push({ path: f.path, error: message.includes(f.path) ? message : `${f.path}: ${message}` });
      group.failing++;
    }
  }

  // Machine by machine; training clips first, then test and monitored clips; normal first.
  const order = (xs: readonly string[], x: string) => xs.indexOf(x);
  const list = [...groups.values()].sort(
    (a, b) =>
      a.machine.type.localeCompare(b.machine.type) ||
      a.machine.name.localeCompare(b.machine.name) ||
      order(['train', 'test', 'monitor'], a.role) - order(['train', 'test', 'monitor'], b.role) ||
      order(['normal', 'anomaly', 'unknown'], a.label) - order(['normal', 'anomaly', 'unknown'], b.label),
  );
  const newMachines = new Map<string, { type: string; name: string }>();
  for (const g of list)
    if (!g.machine.exists) newMachines.set(`${g.machine.type}\u0000${g.machine.name}`, { ...g.machine });
  const willFail = failures.length - plan.problems.length;
  return {
    found: plan.files.length + plan.rejected.length,
    willImport: plan.files.length + plan.rejected.length - duplicates - willFail,
    duplicates,
    willFail,
    unreadableSources: plan.problems.length,
    layouts: [...new Set(list.map((g) => g.mappedBy))],
    groups: list,
    failures,
    duplicateFiles,
    checked,
    newMachines: [...newMachines.values()].map(({ type, name }) => ({ type, name })),
  };
}
