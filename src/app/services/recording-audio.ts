/**
 * The audio of a registered recording, for players: web mode's `GET /api/recordings/<id>/audio`
 * and the desktop app's `auscult-audio://` protocol both call `openRecordingAudio`, so both serve
 * exactly the bytes that were imported and nothing else.
 *
 * What is at the stored path now is not trusted: the file is opened without following a symbolic
 * link swapped in for it (O_NOFOLLOW), must be a regular file, and its content must still have the
 * SHA-256 recorded at import. The hash is computed once per file identity (device, inode, size,
 * modification and change time) and remembered, so seeking with Range requests costs one fstat.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Workspace } from '../workspace.ts';
import { parseRange, type ByteRange } from './byte-range.ts';

/** Why a recording's audio cannot be served; `httpStatus` is what web mode answers. */
export type RecordingAudioProblem =
  | 'no_recording' // 404: no such recording id
  | 'file_missing' // 410: the file is gone from its stored path
  | 'file_changed' // 409: something else is at the path now (other content, a link, not a file)
  | 'range_not_satisfiable'; // 416: the Range lies outside the file

export class RecordingAudioError extends Error {
  readonly httpStatus: number;
  constructor(
    readonly problem: RecordingAudioProblem,
    message: string,
    /** The file's size, for the Content-Range of a 416 answer. */
    readonly size?: number,
  ) {
    super(message);
    this.name = 'RecordingAudioError';
    this.httpStatus = { no_recording: 404, file_missing: 410, file_changed: 409, range_not_satisfiable: 416 }[
      problem
    ];
  }
}

export interface RecordingAudio {
  /** The bytes to send (the whole file, or the requested range); reading it closes the file. */
  stream: Readable;
  /** 206 when a satisfiable single Range was asked for, else 200. */
  status: 200 | 206;
  contentType: string;
  /** Size of the whole file, bytes. */
  size: number;
  /** The range served (inclusive), when status is 206. */
  range?: ByteRange;
  /** Bytes in `stream`. */
  contentLength: number;
}

const AUDIO_MIME: Record<string, string> = { '.wav': 'audio/wav', '.flac': 'audio/flac' };

/** File identities whose content was verified, keyed by workspace + recording id. */
const verified = new Map<string, string>();
const MAX_VERIFIED = 10_000;

const identity = (st: fs.Stats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

async function sha256OfFd(fd: fs.promises.FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(size, 1 << 20) || 1);
  let pos = 0;
  while (pos < size) {
    const { bytesRead } = await fd.read(buf, 0, Math.min(buf.length, size - pos), pos);
    if (bytesRead === 0) break;
    hash.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return hash.digest('hex');
}

/**
 * Opens the audio of recording `recordingId` for playing, honouring an HTTP `Range` header
 * (one range; several or malformed ones get the whole file). Throws RecordingAudioError with the
 * reason when the recording is unknown or its file is missing or no longer the imported one.
 * Electron's protocol handler can hand `Readable.toWeb(result.stream)` to a Response.
 */
export async function openRecordingAudio(
  ws: Workspace,
  recordingId: number,
  opts: { range?: string } = {},
): Promise<RecordingAudio> {
  const rec = ws.recordings.get(recordingId);
  if (!rec) throw new RecordingAudioError('no_recording', `No recording with id ${recordingId}`);
  const where = `recording ${recordingId} (${rec.fileName})`;
  let fd: fs.promises.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO put in the file's place must not wait for a writer.
    fd = await fs.promises.open(
      rec.path,
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new RecordingAudioError('file_missing', `${where}: its file ${rec.path} is missing`);
    if (code === 'ELOOP' || code === 'EMLINK')
      throw new RecordingAudioError(
        'file_changed',
        `${where}: ${rec.path} has been replaced by a symbolic link since the import; not served`,
      );
    throw new RecordingAudioError('file_missing', `${where}: cannot open ${rec.path} (${code ?? 'error'})`);
  }
  let handedOver = false;
  try {
    const st = await fd.stat();
    if (!st.isFile())
      throw new RecordingAudioError(
        'file_changed',
        `${where}: ${rec.path} is no longer a regular file; not served`,
      );
    const key = `${ws.dir}\0${recordingId}`;
    if (verified.get(key) !== identity(st)) {
      if ((await sha256OfFd(fd, st.size)) !== rec.contentHash) {
        verified.delete(key);
        throw new RecordingAudioError(
          'file_changed',
          `${where}: ${rec.path} has changed since the import (its content is not the imported recording's); re-import it`,
        );
      }
      if (verified.size >= MAX_VERIFIED) verified.clear();
      verified.set(key, identity(st));
    }
    const contentType = AUDIO_MIME[path.extname(rec.path).toLowerCase()] ?? 'application/octet-stream';
    const range = parseRange(opts.range, st.size);
    if (range === 'unsatisfiable')
      throw new RecordingAudioError(
        'range_not_satisfiable',
        `${where}: the requested range lies outside the file (${st.size} bytes)`,
        st.size,
      );
    const start = range?.start ?? 0;
    const end = range?.end ?? st.size - 1;
    const stream = fd.createReadStream({ start, end: Math.max(start, end), autoClose: true });
    handedOver = true;
    return {
      stream,
      status: range ? 206 : 200,
      contentType,
      size: st.size,
      ...(range ? { range } : {}),
      contentLength: st.size === 0 ? 0 : end - start + 1,
    };
  } finally {
    if (!handedOver) await fd.close();
  }
}
