import type { ApiMethod } from '../../shared/api.ts';
import type { Handlers } from '../app-context.ts';

/** The handlers of the contract methods `<domain>/…`. */
export type DomainHandlers<D extends string> = Pick<Handlers, Extract<ApiMethod, `${D}/${string}`>>;
