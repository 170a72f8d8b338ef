/**
 * Which process a pid is. Pids are recycled: a job row left "running" by an application that died
 * stores a worker pid that may by now belong to any process of the user. A process is identified
 * by its pid plus its start time since boot (`/proc/<pid>/stat`, field 22) and the boot id, so a
 * stored identity matches only the very process that was started for the job.
 */
import fs from 'node:fs';

function bootId(): string | undefined {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * `<boot id>:<start time in clock ticks>` of process `pid`, or undefined where it cannot be told
 * (no such process; no /proc, as on macOS and Windows: there nothing is ever proven ours).
 */
export function processIdentity(pid: number | null | undefined): string | undefined {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = fields[19]; // field 22 overall; fields[0] is field 3 (state)
  const boot = bootId();
  return startTicks && boot ? `${boot}:${startTicks}` : undefined;
}

/** True only when `pid` runs now and is the process whose identity was stored. */
export function isSameProcess(pid: number | null, identity: string | null): boolean {
  return !!identity && processIdentity(pid) === identity;
}

/** Whether any process has this pid now (ours or not). */
export function pidInUse(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
