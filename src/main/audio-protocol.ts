/**
 * `auscult-audio://recording/<id>`: a recording's audio for wavesurfer, by id only (the path comes
 * from the database, never from the URL), with Range requests answered (206/416) so the media
 * element can seek. The file checks (registered, present, a regular file, unchanged since the
 * import) are the application layer's `openRecordingAudio`, the same function behind web mode's
 * audio route.
 */
import { Readable } from 'node:stream';
import { ApiError, HTTP_STATUS, type ApiErrorCode } from '../shared/api.ts';
import { APP_ORIGIN } from '../shared/desktop.ts';
import { RecordingAudioError, type RecordingAudio } from '../app/services/recording-audio.ts';

/** Opens recording `recordingId`'s audio (`AppService.openRecordingAudio`). */
export type OpenRecordingAudio = (recordingId: number, opts: { range?: string }) => Promise<RecordingAudio>;

const ERROR_CODES: Record<RecordingAudioError['problem'], ApiErrorCode> = {
  no_recording: 'not_found',
  file_missing: 'not_found',
  file_changed: 'conflict',
  range_not_satisfiable: 'bad_request',
};

export function audioProtocolHandler(
  openAudio: OpenRecordingAudio,
  allowedOrigin = APP_ORIGIN,
): (request: Request) => Promise<Response> {
  // The renderer's origin differs from this scheme's: wavesurfer's fetch needs CORS.
  const cors = {
    'Access-Control-Allow-Origin': allowedOrigin,
    'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
    Vary: 'Origin',
  };
  const error = (err: ApiError, status = HTTP_STATUS[err.code]): Response =>
    new Response(JSON.stringify({ error: err.toJSON() }), {
      status,
      headers: { ...cors, 'Content-Type': 'application/json' },
    });

  return async (request) => {
    const url = new URL(request.url);
    const m = /^\/([1-9]\d{0,15})$/.exec(url.pathname);
    if (url.hostname !== 'recording' || !m)
      return error(
        new ApiError('bad_request', `${request.url}: expected auscult-audio://recording/<positive id>`),
      );
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return error(new ApiError('bad_request', `${request.method} is not allowed on audio`));
    let audio: RecordingAudio;
    try {
      audio = await openAudio(Number(m[1]), { range: request.headers.get('range') ?? undefined });
    } catch (err) {
      if (!(err instanceof RecordingAudioError))
        return error(new ApiError('internal', err instanceof Error ? err.message : String(err)));
      if (err.problem === 'range_not_satisfiable')
        return new Response(null, {
          status: 416,
          headers: { ...cors, 'Content-Range': `bytes */${err.size}` },
        });
      return error(new ApiError(ERROR_CODES[err.problem], err.message), err.httpStatus);
    }
    const headers: Record<string, string> = {
      ...cors,
      'Accept-Ranges': 'bytes',
      'Content-Type': audio.contentType,
      'Content-Length': String(audio.contentLength),
      ...(audio.range
        ? { 'Content-Range': `bytes ${audio.range.start}-${audio.range.end}/${audio.size}` }
        : {}),
    };
    if (request.method === 'HEAD') {
      audio.stream.destroy();
      return new Response(null, { status: audio.status, headers });
    }
    return new Response(Readable.toWeb(audio.stream) as ReadableStream<Uint8Array>, {
      status: audio.status,
      headers,
    });
  };
}
