/**
 * Typed errors of the application layer. Services throw these; `toApiError` maps them onto the
 * contract's error codes in one place, so no adapter ever parses a message to find a code.
 */
import { ApiError, type ApiErrorCode } from '../shared/api.ts';

/** A referenced entity does not exist (HTTP 404). */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: number | string,
  ) {
    super(`No ${entity} with id ${id}`);
    this.name = 'NotFoundError';
  }
}

/** The request is valid but clashes with the current state (HTTP 409): a duplicate, a busy project. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The arguments are well-formed but do not make sense together (HTTP 400). */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** SQLite's message for a UNIQUE violation, e.g. "UNIQUE constraint failed: machine.project_id, machine.type". */
const UNIQUE_PREFIX = 'UNIQUE constraint failed: ';

/** The contract's error for anything a handler threw. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const code: ApiErrorCode =
    err instanceof NotFoundError
      ? 'not_found'
      : err instanceof ConflictError
        ? 'conflict'
        : err instanceof InvalidRequestError
          ? 'bad_request'
          : 'internal';
  const e = err as Error & { code?: string };
  if (code === 'internal' && e.code === 'SQLITE_CONSTRAINT_UNIQUE')
    return new ApiError('conflict', uniqueSentence(e.message));
  return new ApiError(code, e instanceof Error ? e.message : String(err));
}

/**
 * "UNIQUE constraint failed: machine.project_id, machine.type, machine.name" as a sentence:
 * "A machine with the same project, type and name already exists."
 */
export function uniqueSentence(message: string): string {
  if (!message.startsWith(UNIQUE_PREFIX)) return message;
  const columns = message
    .slice(UNIQUE_PREFIX.length)
    .split(',')
    .map((c) => c.trim().split('.'));
  const table = columns[0]?.[0] ?? 'row';
  const names = columns.map(([, col]) => (col ?? '').replace(/_id$/, '').replace(/_/g, ' '));
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  return `A ${table.replace(/_/g, ' ')} with the same ${list} already exists.`;
}
