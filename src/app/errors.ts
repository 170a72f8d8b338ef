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
  if (code === 'internal' && e.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    const columns = e.message.startsWith(UNIQUE_PREFIX) ? e.message.slice(UNIQUE_PREFIX.length) : e.message;
    return new ApiError('conflict', `This already exists: another row has the same ${columns}.`);
  }
  return new ApiError(code, e instanceof Error ? e.message : String(err));
}
