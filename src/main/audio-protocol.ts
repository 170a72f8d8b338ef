/**
 * `auscult-audio://recording/<id>`: a recording's audio for wavesurfer, by id only (the path comes
 * from the database, never from the URL), with Range requests answered (206/416) so the media
 * element can seek. The file checks live in the application layer's audio source, shared with
 * web mode's audio route.
 */
import { Readable } from 'node:stream';
import { ApiError, HTTP_STATUS } from '../shared/api.ts';
import { APP_ORIGIN } from '../shared/desktop.ts';
import { parseRange, type ByteRange } from '../server/audio-range.ts';

/** A recording's audio file after the checks (registered, present, unchanged). */
export interface RecordingAudioFile {
  sizeBytes: number;
  contentType: string;
  /** The bytes of `range` (inclusive), or the whole file. */
  stream(range?: ByteRange): Readable;
}

/** Opens the audio of recording `recordingId`, or throws an ApiError (not_found, conflict, …). */
export type OpenRecordingAudio = (recordingId: number) => Promise<RecordingAudioFile>;

function errorResponse(err: ApiError, cors: Record<string, string>): Response {
  return new Response(JSON.stringify({ error: err.toJSON() }), {
    status: HTTP_STATUS[err.code],
    headers: { 'Content-Type': 'application/json', ...cors },
  });
}

export function audioProtocolHandler(
  openAudio: OpenRecordingAudio,
  allowedOrigin = APP_ORIGIN,
): (request: Request) => Promise<Response> {
  // The renderer's origin differs from this scheme's: wavesurfer's fetch needs CORS.
  const cors = { 'Access-Control-Allow-Origin': allowedOrigin, Vary: 'Origin' };
  return async (request) => {
    const url = new URL(request.url);
    const m = /^\/(\d+)$/.exec(url.pathname);
    if (url.hostname !== 'recording' || !m) {
      return errorResponse(
        new ApiError(
          'bad_request',
          `${request.url}: expected auscult-audio://recording/<positive integer id>`,
        ),
        cors,
      );
    }
    const id = Number(m[1]);
    if (!Number.isSafeInteger(id) || id <= 0)
      return errorResponse(
        new ApiError('bad_request', `recording id "${m[1]}" is not a positive integer`),
        cors,
      );
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return errorResponse(new ApiError('bad_request', `${request.method} is not allowed on audio`), cors);
    let file: RecordingAudioFile;
    try {
      file = await openAudio(id);
    } catch (err) {
      return errorResponse(
        err instanceof ApiError ? err : new ApiError('internal', (err as Error).message),
        cors,
      );
    }
    const headers: Record<string, string> = {
      ...cors,
      'Accept-Ranges': 'bytes',
      'Content-Type': file.contentType,
      'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
    };
    const range = parseRange(request.headers.get('range') ?? undefined, file.sizeBytes);
    if (range === 'unsatisfiable') {
      return new Response(null, {
        status: 416,
        headers: { ...headers, 'Content-Range': `bytes */${file.sizeBytes}` },
      });
    }
    const body = (r?: ByteRange) =>
      request.method === 'HEAD' ? null : (Readable.toWeb(file.stream(r)) as ReadableStream<Uint8Array>);
    if (!range) {
      return new Response(body(), {
        status: 200,
        headers: { ...headers, 'Content-Length': String(file.sizeBytes) },
      });
    }
    return new Response(body(range), {
      status: 206,
      headers: {
        ...headers,
        'Content-Range': `bytes ${range.start}-${range.end}/${file.sizeBytes}`,
        'Content-Length': String(range.end - range.start + 1),
      },
    });
  };
}
