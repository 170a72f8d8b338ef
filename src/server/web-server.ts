import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { API_EVENTS, ApiError, HTTP_STATUS, isApiMethod, type ApiErrorCode } from '../shared/api.ts';
import type { AppService } from '../app/services/app-service.ts';
import { parseRange } from './audio-range.ts';
import { contentTypeOf } from '../app/content-types.ts';

export interface WebServerOptions {
  /** Default 127.0.0.1. Any other address requires `token`. */
  host?: string;
  /** Default 5170; 0 picks a free port. */
  port?: number;
  /** Required from clients as `Authorization: Bearer <token>` (or `?token=` for EventSource/audio). */
  token?: string;
  /** Built renderer (index.html + assets); default `out/renderer` of the repository. */
  rendererDir?: string;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /**
   * Folders under which `recordings/import` and `projects/watch` may read. Default: anywhere when
   * bound to loopback (the local user), nowhere otherwise.
   */
  importRoots?: string[];
}

/** Methods whose arguments name folders or files on the server. */
const PATH_METHODS = new Set(['recordings/import', 'projects/watch']);

function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

/** Throws a forbidden ApiError unless every path lies inside one of `roots` (symlinks resolved). */
function checkPaths(paths: string[], roots: string[] | undefined, host: string): void {
  if (roots === undefined) {
    if (isLoopback(host)) return;
    throw new ApiError(
      'forbidden',
      'importing over the network is off: start `auscult serve` with --import-root <dir> to allow folders',
    );
  }
  const real = roots.map(realOrResolved);
  for (const p of paths) {
    const r = realOrResolved(p);
    if (!real.some((root) => r === root || r.startsWith(root + path.sep))) {
      throw new ApiError(
        'forbidden',
        `${p} is outside the folders this server may import from (${roots.join(', ')})`,
      );
    }
  }
}

export interface WebServer {
  url: string;
  host: string;
  port: number;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 5170;
const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_RENDERER_DIR = path.join(REPO_DIR, 'out', 'renderer');


export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

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

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Web mode: the API contract over HTTP (`POST /api/<domain>/<action>` with JSON arguments),
 * server-sent events (`GET /api/events`), audio of registered recordings with Range support
 * (`GET /api/recordings/<id>/audio`), `GET /api/health`, and the built renderer.
 */
export async function startWebServer(app: AppService, opts: WebServerOptions = {}): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token || undefined;
  if (!isLoopback(host) && !token) {
    throw new Error(
      `binding ${host} exposes the workspace to the network: give a token (--token or AUSCULT_TOKEN)`,
    );
  }
  const rendererDir = path.resolve(opts.rendererDir ?? DEFAULT_RENDERER_DIR);
  // forceCloseConnections: open event streams must not keep close() waiting.
  const fastify = Fastify({
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    logger: false,
    forceCloseConnections: true,
  });

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
    if (req.url.startsWith('/api/'))
      return sendError(reply, 'not_found', `no such endpoint: ${req.method} ${req.url.split('?')[0]}`);
    return serveRenderer(req, reply);
  });

  // Token check for everything under /api/ except health (the launcher polls it).
  fastify.addHook('onRequest', async (req, reply) => {
    if (!token || !req.url.startsWith('/api/') || req.url === '/api/health') return;
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const query = (req.query as Record<string, string | undefined>)?.token;
    if (!tokenMatches(bearer ?? query, token))
      return sendError(reply, 'unauthorized', 'missing or wrong token');
  });

  fastify.get('/api/health', async () => {
    const info = await app.call('app/info', {});
    return { ok: true, version: info.version, tfBackend: info.tfBackend };
  });

  fastify.get('/api/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    const offs = API_EVENTS.map((event) =>
      app.on(event, (payload) => res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`)),
    );
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      for (const off of offs) off();
    });
  });

  fastify.get<{ Params: { id: string } }>('/api/recordings/:id/audio', async (req, reply) => {
    const id = Number(req.params.id);
    if (!Number.isInteger(id) || id <= 0)
      return sendError(reply, 'bad_request', `recording id "${req.params.id}" is not a positive integer`);
    // Only files registered as recordings are ever read: the path comes from the database.
    const rec = app.ws.recordings.get(id);
    if (!rec) return sendError(reply, 'not_found', `No recording with id ${id}`);
    let size: number;
    try {
      size = fs.statSync(rec.path).size;
    } catch {
      return sendError(reply, 'not_found', `recording ${id}: its file ${rec.path} is missing`);
    }
    const type = contentTypeOf(rec.path);
    reply.header('Accept-Ranges', 'bytes').header('Content-Type', type);
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      return reply.code(416).header('Content-Range', `bytes */${size}`).send();
    }
    if (!range) return reply.header('Content-Length', size).send(fs.createReadStream(rec.path));
    return reply
      .code(206)
      .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
      .header('Content-Length', range.end - range.start + 1)
      .send(fs.createReadStream(rec.path, { start: range.start, end: range.end }));
  });

  fastify.post<{ Params: { domain: string; action: string } }>('/api/:domain/:action', async (req, reply) => {
    const method = `${req.params.domain}/${req.params.action}`;
    if (!isApiMethod(method)) return sendError(reply, 'not_found', `unknown API method "${method}"`);
    const body = req.body === undefined || req.body === null ? {} : req.body;
    if (typeof body !== 'object' || Array.isArray(body))
      return sendError(reply, 'bad_request', 'the request body must be a JSON object of arguments');
    if (PATH_METHODS.has(method)) {
      const args = body as { sources?: unknown; dir?: unknown };
      const paths = [
        ...(Array.isArray(args.sources) ? args.sources : []),
        ...(typeof args.dir === 'string' ? [args.dir] : []),
      ].filter((p): p is string => typeof p === 'string');
      checkPaths(paths, opts.importRoots, host);
    }
    return app.call(method, body, 'web');
  });

  function serveRenderer(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendError(reply, 'not_found', `no such endpoint: ${req.method} ${req.url}`);
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

  await fastify.listen({ host, port: opts.port ?? DEFAULT_PORT });
  const addr = fastify.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? DEFAULT_PORT);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    fastify,
    close: async () => {
      await fastify.close();
    },
  };
}
