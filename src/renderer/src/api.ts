import { createHttpClient } from '../../shared/http-client';

/**
 * The renderer's one handle on the API contract. In web mode it is the HTTP client against the
 * server that served the page; the Electron shell will provide the same contract over IPC.
 */
export const api = createHttpClient();
