/**
 * The web-mode client of the contract: `AuscultApi` over `fetch` (methods) and `EventSource`
 * (events), for the renderer running in a browser against `auscult serve`. Browser-safe.
 */
import {
  API_EVENTS,
  ApiError,
  type ApiArgs,
  type ApiErrorCode,
  type ApiEventName,
  type ApiEvents,
  type ApiMethod,
  type ApiResult,
  type AuscultApi,
} from './api.ts';

export interface HttpClientOptions {
  /** Server root, e.g. `http://127.0.0.1:5170/` (default: the page's origin). */
  baseUrl?: string;
  /**
   * Token for clients outside the browser (sent as `Authorization: Bearer`; `?token=` on the
   * EventSource and audio URLs, which cannot carry headers). A page served by `auscult serve`
   * needs none: opening `/?token=…` set an HttpOnly cookie that same-origin requests carry.
   */
  token?: string;
  fetch?: typeof fetch;
}

export function createHttpClient(
  opts: HttpClientOptions = {},
): AuscultApi & { audioUrl(recordingId: number): string; close(): void } {
  const pageOrigin = (globalThis as { location?: { origin: string } }).location?.origin;
  const base = (opts.baseUrl ?? (pageOrigin ? pageOrigin + '/' : 'http://127.0.0.1:5170/')).replace(
    /\/?$/,
    '/',
  );
  const doFetch = opts.fetch ?? fetch;
  const withToken = (url: string) =>
    opts.token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(opts.token)}` : url;
  let source: EventSource | undefined;
  const listeners = new Map<ApiEventName, Set<(payload: never) => void>>();

  function ensureSource(): void {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource(withToken(`${base}api/events`));
    for (const event of API_EVENTS) {
      source.addEventListener(event, (e) => {
        const payload = JSON.parse((e as unknown as { data: string }).data) as never;
        for (const l of listeners.get(event) ?? []) l(payload);
      });
    }
  }

  return {
    async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResult<M>> {
      const res = await doFetch(`${base}api/${method}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        body: JSON.stringify(args ?? {}),
      });
      const body = (await res.json().catch(() => ({}))) as {
        error?: { code: ApiErrorCode; message: string; issues?: { path: string; message: string }[] };
      };
      if (!res.ok)
        throw new ApiError(
          body.error?.code ?? 'internal',
          body.error?.message ?? `HTTP ${res.status}`,
          body.error?.issues,
        );
      return body as ApiResult<M>;
    },
    on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      ensureSource();
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
    audioUrl: (recordingId) => withToken(`${base}api/recordings/${recordingId}/audio`),
    close() {
      source?.close();
      source = undefined;
    },
  };
}
