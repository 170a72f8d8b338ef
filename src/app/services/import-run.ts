import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeAudioBytesAsync } from '../../engine/audio/decode.ts';
import type { ImportResult } from '../../shared/api.ts';
import type { JobParams } from '../jobs/params.ts';
import { throwIfCancelled, type JobContext } from '../jobs/context.ts';
import type { Workspace } from '../workspace.ts';
import { assertInsideRoots, readImportFile, type ImportFileRules } from './file-safety.ts';
import { AUDIO_EXTENSIONS, planImport, type PlannedFile } from './import-plan.ts';
import { JobFailure } from '../jobs/protocol.ts';

export type { ImportResult };
import { rmsDbfs } from './level.ts';

/** Most decoder warnings listed in a job result (all are stored with their recordings). */
const MAX_LISTED_WARNINGS = 100;

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Copies `bytes` into the workspace under their hash (content-addressed; written atomically). */
function storeCopy(ws: Workspace, hash: string, originalPath: string, bytes: Buffer): string {
  const dir = path.join(ws.recordingsDir, hash.slice(0, 2));
  const dest = path.join(dir, hash + path.extname(originalPath).toLowerCase());
  if (fs.existsSync(dest)) return dest;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, dest);
  return dest;
}

type FileOutcome = { status: 'imported'; warnings: string[] } | { status: 'duplicate' };

/** Imports one file: hash, de-duplicate, decode (validates and measures), copy if asked, insert. */
export async function importOneFile(
  ws: Workspace,
  f: PlannedFile,
  opts: { projectId: number; copy: boolean; source: string; jobId: number | null; rules?: ImportFileRules },
): Promise<FileOutcome> {
  const bytes = await readImportFile(f.path, opts.rules);
  const hash = sha256(bytes);
  if (ws.recordings.byHash(opts.projectId, hash)) return { status: 'duplicate' };
  const decoded = await decodeAudioBytesAsync(bytes, f.path);
  const stored = opts.copy ? storeCopy(ws, hash, f.path, bytes) : f.path;
  try {
    ws.transaction(() => {
      const machine = ws.machines.ensure(opts.projectId, f.machineType, f.machineName);
      ws.recordings.insert({
        projectId: opts.projectId,
        machineId: machine.id,
        path: stored,
        storage: opts.copy ? 'copied' : 'referenced',
        originalPath: f.path,
        fileName: path.basename(f.path),
        contentHash: hash,
        format: {
          container: decoded.source.container,
          codec: decoded.source.codec,
          channels: decoded.source.channels,
          sampleRateHz: decoded.source.sampleRateHz,
          bitsPerSample: decoded.source.bitsPerSample,
        },
        durationS: decoded.source.durationS,
        levelDbfs: rmsDbfs(decoded.samples),
        warnings: decoded.warnings,
        role: f.role,
        label: f.label,
        section: f.section,
        domain: f.domain,
        attributes: f.attributes,
        source: opts.source,
        importJobId: opts.jobId,
      });
    });
  } catch (err) {
    // Another import committed the same content between our check and insert.
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return { status: 'duplicate' };
    throw err;
  }
  return { status: 'imported', warnings: decoded.warnings };
}

/** The import job: every file is tried; each failure is recorded with its message, the rest go on. */
export async function runImport(ctx: JobContext, params: JobParams['import']): Promise<ImportResult> {
  // `source` ("import", "watch", "demo") is set by the application, not by API callers.
  const { source, importRoots, maxFileBytes, ...args } = params;
  const { ws } = ctx;
  if (!ws.projects.get(args.projectId)) throw new Error(`No project with id ${args.projectId}`);
  // The job process checks the roots itself (not only the HTTP handler): a source outside them
  // is not even listed; every file is checked again by real path when it is read.
  const rules: ImportFileRules = { importRoots, maxFileBytes, followSymlinks: source !== 'watch' };
  const refused: { path: string; error: string }[] = [];
  const sources = args.sources.filter((src) => {
    try {
      assertInsideRoots(src, importRoots);
      return true;
    } catch (err) {
      refused.push({ path: path.resolve(src), error: (err as Error).message });
      return false;
    }
  });
  ctx.progress(0, 'listing files');
  const plan = sources.length ? planImport({ ...args, sources }) : { files: [], problems: [], rejected: [] };
  plan.problems.unshift(...refused);
  const result: ImportResult = {
    found: plan.files.length + plan.rejected.length,
    imported: 0,
    duplicates: 0,
    failed: plan.rejected.length,
    unreadableSources: plan.problems.length,
    withWarnings: [],
    importedRoles: {},
  };
  for (const p of [...plan.problems, ...plan.rejected])
    ws.recordings.recordImportError({ jobId: ctx.jobId, projectId: args.projectId, path: p.path, error: p.error });
  ctx.log(
    `${result.found} audio files found${plan.problems.length ? `, ${plan.problems.length} sources unreadable` : ''}`,
  );
  for (let i = 0; i < plan.files.length; i++) {
    // Decoding is synchronous: yield so a cancel message can arrive between files.
    await new Promise((resolve) => setImmediate(resolve));
    throwIfCancelled(ctx.signal);
    const f = plan.files[i]!;
    try {
      const outcome = await importOneFile(ws, f, {
        projectId: args.projectId,
        copy: args.copy,
        source,
        jobId: ctx.jobId,
        rules,
      });
      if (outcome.status === 'duplicate') result.duplicates++;
      else {
        result.imported++;
        result.importedRoles[f.role] = (result.importedRoles[f.role] ?? 0) + 1;
        if (outcome.warnings.length) {
          if (result.withWarnings.length < MAX_LISTED_WARNINGS)
            result.withWarnings.push({ path: f.path, warnings: outcome.warnings });
          ctx.log(`${f.path}: imported with warnings: ${outcome.warnings.join('; ')}`);
        }
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const error = message.includes(f.path) ? message : `${f.path}: ${message}`;
      ws.recordings.recordImportError({ jobId: ctx.jobId, projectId: args.projectId, path: f.path, error });
      ctx.log(error);
      result.failed++;
    }
    ctx.progress((i + 1) / plan.files.length, `${i + 1}/${plan.files.length} files`);
    await ctx.checkpoint(i + 1);
  }
  ctx.log(
    `found ${result.found}: imported ${result.imported}, duplicates ${result.duplicates}, failed ${result.failed}`,
  );
  ws.audit.write({
    actor: 'job',
    action: 'import',
    entity: 'project',
    entityId: args.projectId,
    details: { jobId: ctx.jobId, ...result, withWarnings: result.withWarnings.length },
  });
  const failure = importFailure(args.sources, result);
  if (failure) throw new JobFailure(failure, result);
  return result;
}

/** Why an import achieved nothing (no audio found, or every file failed), or undefined. */
export function importFailure(sources: string[], r: ImportResult): string | undefined {
  const where = sources.length === 1 ? sources[0]! : `${sources.length} sources`;
  const unreadable = r.unreadableSources
    ? ` (${r.unreadableSources} source${r.unreadableSources === 1 ? '' : 's'} could not be read)`
    : '';
  if (r.found === 0)
    return `no audio files (${AUDIO_EXTENSIONS.join(', ')}) found in ${where}${unreadable}`;
  if (r.imported + r.duplicates === 0)
    return `none of the ${r.found} audio file${r.found === 1 ? '' : 's'} in ${where} could be imported: each is listed with its error`;
  return undefined;
}
