import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_EVENTS, ApiError, HTTP_STATUS, isApiMethod, type ApiErrorCode } from '../shared/api.ts';
import type { AppService } from '../app/services/app-service.ts';
import { assertInsideRoots } from '../app/services/file-safety.ts';
import { RecordingAudioError } from '../app/services/recording-audio.ts';
import { contentTypeOf } from '../app/content-types.ts';
import {
  allowedHostNames,
  cookieValue,
  generateToken,
  hostName,
  isLoopback,
  loginPage,
  normalisedPath,
  originAllowed,
  SECURITY_HEADERS,
  tokenCookieName,
  tokenMatches,
} from './web-security.ts';

export { isLoopback } from './web-security.ts';

export interface WebServerOptions {
  /** Default 127.0.0.1. Any other address requires a token (the default). */
  host?: string;
  /** Default 5170; 0 picks a free port. */
  port?: number;
  /**
   * A fixed token. Without one a random token is generated per launch (see `WebServer.token`).
   * Clients send it as `Authorization: Bearer <token>` or in the HttpOnly cookie the start page
   * (`/?token=…`) sets; `?token=` is also read on GET requests (EventSource, <audio>) only.
   */
  token?: string;
  /** No token at all: allowed on a loopback address only. */
  noToken?: boolean;
  /** Extra host names (or addresses) clients may use in the Host header, e.g. the machine's DNS name. */
  allowHosts?: string[];
  /** Built renderer (index.html + assets); default `out/renderer` of the repository. */
  rendererDir?: string;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /** Open server-sent event streams at once (default 32); more get 503. */
  maxEventStreams?: number;
  /**
   * Folders under which `recordings/import` and `projects/watch` may read. Default: anywhere when
   * bound to loopback (the local user), nowhere otherwise. The job process checks again.
   */
  importRoots?: string[];
}

/**
 * Methods whose arguments name folders or files on the server: the import, its dry run, the
 * watched folder and the folder listing of path completion.
 */
const PATH_METHODS = new Set([
  'recordings/import',
  'recordings/importPreview',
  'projects/watch',
  'files/listFolder',
]);

/** Throws a forbidden ApiError unless every path lies inside one of `roots` (symlinks resolved). */
function checkPaths(paths: string[], roots: string[] | undefined, host: string): void {
  if (roots === undefined) {
    if (isLoopback(host)) return;
    throw new ApiError(
      'forbidden',
      'importing over the network is off: start `auscult serve` with --import-root <dir> to allow folders',
    );
  }
  try {
    for (const p of paths) assertInsideRoots(p, roots);
  } catch (err) {
    throw new ApiError('forbidden', (err as Error).message);
  }
}

export interface WebServer {
  /** Root URL, e.g. `http://127.0.0.1:5170/`. */
  url: string;
  /** The URL to open in a browser: `url` plus `?token=…` when a token is required. */
  openUrl: string;
  /** The token clients must present, or undefined with `noToken`. */
  token: string | undefined;
  host: string;
  port: number;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 5170;
const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_RENDERER_DIR = path.join(REPO_DIR, 'out', 'renderer');

function sendError(
  reply: FastifyReply,
  code: ApiErrorCode,
  message: string,
  issues?: { path: string; message: string }[],
  status = HTTP_STATUS[code],
): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send({ error: new ApiError(code, message, issues).toJSON() });
}

/** Routes anyone may call: the launcher polls health before it has the token. */
const PUBLIC_API_PATHS = new Set(['/api/health']);

/**
 * Web mode: the API contract over HTTP (`POST /api/<domain>/<action>` with JSON arguments),
 * server-sent events (`GET /api/events`), audio of registered recordings with Range support
 * (`GET /api/recordings/<id>/audio`), `GET /api/health`, and the built renderer.
 *
 * Every request passes, in order: the Host check (421 unless the name is ours: DNS rebinding),
 * the Origin check (403 for another site's page), then — for everything but health — the token
 * (401). Every response carries the security headers of `web-security.ts`.
 */
export async function startWebServer(app: AppService, opts: WebServerOptions = {}): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  if (opts.noToken && opts.token) throw new Error('give either a token or noToken, not both');
  if (opts.noToken && !isLoopback(host))
    throw new Error(
      `binding ${host} exposes the workspace to the network: --no-token is allowed on a loopback address only`,
    );
  const token = opts.noToken ? undefined : opts.token || generateToken();
  const allowedHosts = allowedHostNames(host, opts.allowHosts);
  const maxEventStreams = opts.maxEventStreams ?? 32;
  let eventStreams = 0;
  const rendererDir = path.resolve(opts.rendererDir ?? DEFAULT_RENDERER_DIR);
  // forceCloseConnections: open event streams must not keep close() waiting.
  const fastify = Fastify({
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    logger: false,
    forceCloseConnections: true,
  });
  let port = opts.port ?? DEFAULT_PORT;

  fastify.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof ApiError) return sendError(reply, err.code, err.message, err.issues);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendError(
        reply,
        'payload_too_large',
        `request body is larger than ${opts.bodyLimitBytes ?? 1024 * 1024} bytes`,
      );
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendError(
        reply,
        'bad_request',
        'request body must be JSON (Content-Type: application/json)',
        undefined,
        415,
      );
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const message =
        err.code === 'FST_ERR_CTP_INVALID_JSON' || err instanceof SyntaxError
          ? `malformed JSON body: ${err.message}`
          : err.message;
      return sendError(reply, 'bad_request', message, undefined, err.statusCode);
    }
    return sendError(reply, 'internal', err.message);
  });
  fastify.setNotFoundHandler((req, reply) => {
    if (normalisedPath(req.url).startsWith('/api/'))
      return sendError(reply, 'not_found', `no such endpoint: ${req.method} ${req.url.split('?')[0]}`);
    return serveRenderer(req, reply);
  });

  /** Whether the request carries the token: Bearer header, our cookie, or `?token=` on a GET. */
  function authorized(req: FastifyRequest): boolean {
    if (!token) return true;
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) return tokenMatches(header.slice(7), token);
    if (tokenMatches(cookieValue(req.headers.cookie, tokenCookieName(port)), token)) return true;
    const query = (req.query as Record<string, unknown> | undefined)?.token;
    return (req.method === 'GET' || req.method === 'HEAD') && typeof query === 'string'
      ? tokenMatches(query, token)
      : false;
  }

  fastify.addHook('onRequest', async (req, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    const name = hostName(req.headers.host ?? '');
    if (!name || !allowedHosts.has(name))
      return sendError(
        reply,
        'forbidden',
        `this server does not answer to the host name "${req.headers.host ?? ''}" (start it with --allow-host <name> to add one)`,
        undefined,
        421,
      );
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, allowedHosts, port))
      return sendError(reply, 'forbidden', `requests from another site (Origin ${origin}) are refused`);
    // The token check follows what the router matched and what any spelling of the path means,
    // so no encoding, case or dot-segment variant of /api/… gets past it.
    const route = req.routeOptions.url;
    const apiByRoute = route !== undefined && !PUBLIC_API_PATHS.has(route);
    const apiByPath =
      normalisedPath(req.url).startsWith('/api/') && !PUBLIC_API_PATHS.has(normalisedPath(req.url));
    if ((apiByRoute || apiByPath) && !authorized(req)) {
      const query = (req.query as Record<string, unknown> | undefined)?.token;
      return sendError(
        reply,
        'unauthorized',
        query !== undefined && req.method !== 'GET' && req.method !== 'HEAD'
          ? 'the token is not accepted in the URL of a POST: send it as Authorization: Bearer'
          : 'missing or wrong token',
      );
    }
  });

  fastify.get('/api/health', async () => {
    const info = await app.call('app/info', {});
    return { ok: true, version: info.version, tfBackend: info.tfBackend };
  });

  fastify.get('/api/events', (req, reply) => {
    if (eventStreams >= maxEventStreams)
      return sendError(
        reply,
        'internal',
        `too many open event streams (${maxEventStreams}); close other Auscult tabs and retry`,
        undefined,
        503,
      );
    eventStreams++;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    const offs = API_EVENTS.map((event) =>
      app.on(event, (payload) => {
        // An event about something already deleted has no payload: send nothing rather than "undefined".
        const data = payload === undefined ? undefined : JSON.stringify(payload);
        if (data !== undefined) res.write(`event: ${event}\ndata: ${data}\n\n`);
      }),
    );
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
    req.raw.on('close', () => {
      eventStreams--;
      clearInterval(heartbeat);
      for (const off of offs) off();
    });
  });

  fastify.get<{ Params: { id: string } }>('/api/recordings/:id/audio', async (req, reply) => {
    if (!/^[1-9]\d{0,15}$/.test(req.params.id))
      return sendError(reply, 'bad_request', `recording id "${req.params.id}" is not a positive integer`);
    try {
      const audio = await app.openRecordingAudio(Number(req.params.id), { range: req.headers.range });
      reply
        .code(audio.status)
        .header('Accept-Ranges', 'bytes')
        .header('Content-Type', audio.contentType)
        .header('Content-Length', audio.contentLength);
      if (audio.range)
        reply.header('Content-Range', `bytes ${audio.range.start}-${audio.range.end}/${audio.size}`);
      return reply.send(audio.stream);
    } catch (err) {
      if (!(err instanceof RecordingAudioError)) throw err;
      if (err.problem === 'range_not_satisfiable')
        return reply.code(416).header('Content-Range', `bytes */${err.size}`).send();
      const code: ApiErrorCode =
        err.problem === 'no_recording'
          ? 'not_found'
          : err.problem === 'file_changed'
            ? 'conflict'
            : 'not_found';
      return sendError(reply, code, err.message, undefined, err.httpStatus);
    }
  });

  fastify.post<{ Params: { domain: string; action: string } }>('/api/:domain/:action', async (req, reply) => {
    const method = `${req.params.domain}/${req.params.action}`;
    if (!isApiMethod(method)) return sendError(reply, 'not_found', `unknown API method "${method}"`);
    const body = req.body === undefined || req.body === null ? {} : req.body;
    if (typeof body !== 'object' || Array.isArray(body))
      return sendError(reply, 'bad_request', 'the request body must be a JSON object of arguments');
    if (PATH_METHODS.has(method)) {
      const args = body as { sources?: unknown; dir?: unknown; path?: unknown };
      const paths = [
        ...(Array.isArray(args.sources) ? args.sources : []),
        ...(typeof args.dir === 'string' ? [args.dir] : []),
        ...(typeof args.path === 'string' ? [args.path] : []),
      ].filter((p): p is string => typeof p === 'string');
      checkPaths(paths, opts.importRoots, host);
    }
    return app.call(method, body, 'web');
  });

  function serveRenderer(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(reply, 'not_found', `no such endpoint: ${req.method} ${req.url}`);
    if (token) {
      // The start page trades `?token=` for an HttpOnly cookie and drops the token from the URL
      // (history, Referer); without the cookie a browser gets a page to paste the token into.
      const given = (req.query as Record<string, unknown> | undefined)?.token;
      if (typeof given === 'string') {
        if (!tokenMatches(given, token))
          return reply.code(401).type('text/html; charset=utf-8').send(loginPage('That token is not right.'));
        const clean = new URL(req.url, 'http://x');
        clean.searchParams.delete('token');
        return reply
          .code(303)
          .header('Set-Cookie', `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`)
          .header('Cache-Control', 'no-store')
          .redirect(clean.pathname + clean.search, 303);
      }
      if (!authorized(req))
        return reply
          .code(401)
          .type('text/html; charset=utf-8')
          .send(loginPage('This Auscult server needs its access token.'));
    }
    const index = path.join(rendererDir, 'index.html');
    if (!fs.existsSync(index)) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send(`The renderer is not built (no ${index}): run "npm run build:web". The API is under /api/.`);
    }
    let rel: string;
    try {
      rel = decodeURIComponent(req.url.split('?')[0]!);
    } catch {
      return sendError(reply, 'bad_request', 'malformed URL');
    }
    const file = path.resolve(rendererDir, '.' + path.posix.normalize('/' + rel));
    // Never leave the renderer folder, whatever the URL says.
    if (file !== rendererDir && !file.startsWith(rendererDir + path.sep))
      return sendError(reply, 'not_found', 'not found');
    const isFile = fs.existsSync(file) && fs.statSync(file).isFile();
    // Client-side routes (no extension) get the app; a missing asset is a 404.
    const target = isFile ? file : path.extname(file) ? undefined : index;
    if (!target) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return reply
      .type(contentTypeOf(target))
      .header('Cache-Control', target === index ? 'no-cache' : 'public, max-age=3600')
      .send(fs.createReadStream(target));
  }

  await fastify.listen({ host, port });
  const addr = fastify.server.address();
  port = typeof addr === 'object' && addr ? addr.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  return {
    url,
    openUrl: token ? `${url}?token=${token}` : url,
    token,
    host,
    port,
    fastify,
    close: async () => {
      await fastify.close();
    },
  };
}
