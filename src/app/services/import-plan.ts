import fs from 'node:fs';
import path from 'node:path';
import type { ApiParsedArgs } from '../../shared/api.ts';
import type { RecordingDomain, RecordingLabel, RecordingRole } from '../../shared/domain.ts';
import { dcaseClip, readAttributeCsvs } from './dcase-names.ts';

/** Extensions the decoder reads; other files in imported folders are not recordings and are skipped. */
export const AUDIO_EXTENSIONS = ['.wav', '.flac'];

export type ImportArgs = ApiParsedArgs<'recordings/import'>;

/** One file of an import with the machine, role and label it will get. */
export interface PlannedFile {
  path: string;
  machineType: string;
  machineName: string;
  role: RecordingRole;
  label: RecordingLabel;
  section: string | null;
  domain: RecordingDomain | null;
  attributes: Record<string, string>;
}

export interface ImportPlan {
  files: PlannedFile[];
  /** Sources that could not be read at all (missing folder, permission). */
  problems: { path: string; error: string }[];
  /** Audio files found but not planned (e.g. not a DCASE name under mapping "dcase"): they count as failed. */
  rejected: { path: string; error: string }[];
}

function isAudio(file: string): boolean {
  return AUDIO_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** Audio files under `dir`, recursively, in a stable order; unreadable sub-folders become problems. */
function walk(dir: string, out: string[], problems: ImportPlan['problems']): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({
      path: dir,
      error: `${dir}: cannot read folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    });
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out, problems);
    else if (e.isFile() && isAudio(e.name)) out.push(p);
  }
}

/** Label from a file-name prefix (normal_…, anomaly_…/abnormal_…), as MIMII/ToyADMOS name files. */
function labelFromName(file: string): RecordingLabel | undefined {
  const m = /^(normal|anomaly|abnormal)[_-]/i.exec(path.basename(file));
  if (!m) return undefined;
  return m[1]!.toLowerCase() === 'normal' ? 'normal' : 'anomaly';
}

/** "One folder per machine": `fan_id_00/` → type fan, name id_00; any other folder name is both. */
function folderMachine(file: string): { machineType: string; machineName: string } {
  const folder = path.basename(path.dirname(file));
  const m = /^(.+?)[_-]id[_-]?(\d+)$/i.exec(folder);
  if (m) return { machineType: m[1]!, machineName: `id_${m[2]}` };
  return { machineType: folder, machineName: folder };
}

/**
 * Expands the import's sources into files and decides each file's machine, role and label.
 * DCASE names (2020–2025) are recognised per file (auto), inside or outside train/test folders;
 * otherwise the parent folder names the machine, or `machine` names it for all files.
 */
export function planImport(args: ImportArgs): ImportPlan {
  const problems: ImportPlan['problems'] = [];
  const paths: string[] = [];
  for (const src of args.sources) {
    const abs = path.resolve(src);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      problems.push({ path: abs, error: `${abs}: no such file or folder` });
      continue;
    }
    if (st.isDirectory()) walk(abs, paths, problems);
    else paths.push(abs); // an explicitly listed file is imported even with an unusual extension
  }
  const seen = new Set<string>();
  const files: PlannedFile[] = [];
  const rejected: ImportPlan['rejected'] = [];
  const csvAttributes = new Map<string, Map<string, Record<string, string>>>();
  for (const p of paths) {
    if (seen.has(p)) continue;
    seen.add(p);
    const dcase = args.mapping === 'auto' || args.mapping === 'dcase' ? dcaseClip(p) : undefined;
    if (args.mapping === 'dcase' && !dcase) {
      rejected.push({
        path: p,
        error: `${p}: not a DCASE file name (normal_id_NN_XXXXXXXX.wav, section_NN_source_train_normal_NNNN….wav, …)`,
      });
      continue;
    }
    const machine = dcase
      ? { machineType: dcase.machineType, machineName: dcase.machineName }
      : args.machine && args.mapping !== 'folder-per-machine'
        ? { machineType: args.machine.type, machineName: args.machine.name }
        : folderMachine(p);
    const role: RecordingRole = args.role ?? dcase?.role ?? 'train';
    const label: RecordingLabel =
      args.label ??
      (dcase && dcase.label !== 'unknown' ? dcase.label : undefined) ??
      labelFromName(p) ??
      (role === 'train' ? 'normal' : 'unknown');
    let attributes = dcase?.attributes ?? {};
    if (dcase?.section) {
      const typeDir = dcase.split ? path.dirname(path.dirname(p)) : path.dirname(p);
      if (!csvAttributes.has(typeDir)) csvAttributes.set(typeDir, readAttributeCsvs(typeDir));
      attributes = { ...attributes, ...csvAttributes.get(typeDir)!.get(path.basename(p)) };
    }
    files.push({
      path: p,
      ...machine,
      role,
      label,
      section: dcase?.section ?? null,
      domain: dcase?.domain ?? null,
      attributes,
    });
  }
  return { files, problems, rejected };
}
