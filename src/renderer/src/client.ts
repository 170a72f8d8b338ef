import type { AuscultApi } from '../../shared/api';
import { createHttpClient } from '../../shared/http-client';

/**
 * What the renderer talks to: the API contract plus the URL of a recording's audio. In web mode
 * it is the HTTP client against the server that served the page; in Electron the preload's
 * `window.auscult` provides the same interface over IPC.
 */
export type RendererClient = AuscultApi & { audioUrl(recordingId: number): string };

/** The renderer's one handle on the API contract. */
export const client: RendererClient = createHttpClient();
