import fs from 'node:fs';
import path from 'node:path';

/**
 * A deterministic pause point for real-process tests. When `AUSCULT_TEST_GATE_DIR` names a folder
 * and `AUSCULT_TEST_GATE_AFTER` a count N, a job process that has finished its N-th unit of work
 * (file imported, recording scored, training epoch done) writes `job-<id>.reached` there and waits
 * until `job-<id>.release` appears (or the job is cancelled). A test can then kill or cancel the
 * job at exactly that point, however fast or loaded the machine is. Unset, it costs nothing.
 */
export function testGate(
  jobId: number,
  env: NodeJS.ProcessEnv = process.env,
): ((done: number, signal: AbortSignal) => Promise<void>) | undefined {
  const dir = env.AUSCULT_TEST_GATE_DIR;
  const after = Number(env.AUSCULT_TEST_GATE_AFTER);
  if (!dir || !Number.isInteger(after) || after < 1) return undefined;
  let passed = false;
  return async (done, signal) => {
    if (passed || done < after) return;
    passed = true;
    // Written whole, then renamed: the test polls for the name and must never read it half-written.
    const reached = path.join(dir, `job-${jobId}.reached`);
    fs.writeFileSync(`${reached}.tmp`, String(done));
    fs.renameSync(`${reached}.tmp`, reached);
    const release = path.join(dir, `job-${jobId}.release`);
    while (!fs.existsSync(release) && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
  };
}

/**
 * Test side: resolves when job `jobId` has reached the gate in `dir` (checked every 20 ms). No
 * short timeout: on a loaded machine the job may take minutes to get there; the test's own
 * timeout bounds the wait.
 */
export async function gateReached(dir: string, jobId: number, timeoutMs = 1_200_000): Promise<number> {
  const file = path.join(dir, `job-${jobId}.reached`);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not reach the test gate in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Number(fs.readFileSync(file, 'utf8'));
}

/** Test side: lets job `jobId` go on past the gate. */
export function releaseGate(dir: string, jobId: number): void {
  fs.writeFileSync(path.join(dir, `job-${jobId}.release`), '');
}
