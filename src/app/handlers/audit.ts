import type { AppContext } from '../app-context.ts';
import type { DomainHandlers } from './types.ts';

/** The audit log: who changed what, with the old and new values. */
export function auditHandlers(app: AppContext): DomainHandlers<'audit'> {
  return { 'audit/list': (q) => app.ws.audit.list(q) };
}
