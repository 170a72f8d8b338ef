import type { AppContext, Handlers } from '../app-context.ts';
import { alarmHandlers } from './alarms.ts';
import { auditHandlers } from './audit.ts';
import { dashboardHandlers } from './dashboard.ts';
import { importHandlers } from './imports.ts';
import { jobHandlers } from './jobs.ts';
import { machineHandlers } from './machines.ts';
import { modelHandlers } from './models.ts';
import { projectHandlers } from './projects.ts';
import { recordingHandlers } from './recordings.ts';
import { scoreHandlers } from './scores.ts';
import { systemHandlers } from './system.ts';
import { thresholdHandlers } from './thresholds.ts';

/** One module per domain; together they cover every contract method (checked below). */
const DOMAINS = [
  systemHandlers,
  projectHandlers,
  machineHandlers,
  recordingHandlers,
  importHandlers,
  modelHandlers,
  scoreHandlers,
  thresholdHandlers,
  alarmHandlers,
  jobHandlers,
  auditHandlers,
  dashboardHandlers,
] as const;

type Composed = UnionToIntersection<ReturnType<(typeof DOMAINS)[number]>>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
/** Fails to compile when a contract method has no handler. */
type Complete = Handlers extends Composed ? (Composed extends Handlers ? true : never) : never;

/** The handler map of the whole contract, composed from one module per domain. */
export function createHandlers(app: AppContext): Handlers {
  const complete: Complete = true;
  void complete;
  return Object.assign({}, ...DOMAINS.map((domain) => domain(app))) as Handlers;
}
