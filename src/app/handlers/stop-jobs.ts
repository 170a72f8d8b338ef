import type { AppContext } from '../app-context.ts';
import { ConflictError } from '../errors.ts';

/** Cancels a project's jobs and waits for them (before deleting the project or a machine of it). */
export async function stopProjectJobs(app: AppContext, projectId: number): Promise<void> {
  try {
    await app.jobs.cancelProjectJobs(projectId);
  } catch (err) {
    throw new ConflictError((err as Error).message);
  }
}
