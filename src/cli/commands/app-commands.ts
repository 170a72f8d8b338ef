import type { Command } from 'commander';
import { registerProject } from './project.ts';
import { registerImport } from './import.ts';
import { registerScore } from './score.ts';
import { registerStatus } from './status.ts';
import { registerAlarms } from './alarms.ts';
import { registerServe } from './serve.ts';
import { registerDemo } from './demo.ts';
import { registerMachines } from './machines.ts';
import { registerThresholds } from './thresholds.ts';
import { registerRecordings } from './recordings.ts';

/** The workspace commands (application layer): project, import, score, status, alarms, machines, thresholds, recordings, serve, demo. */
export function registerAppCommands(program: Command): void {
  registerProject(program);
  registerImport(program);
  registerScore(program);
  registerStatus(program);
  registerAlarms(program);
  registerMachines(program);
  registerThresholds(program);
  registerRecordings(program);
  registerServe(program);
  registerDemo(program);
}
