/**
 * Opens recordings' audio for the `auscult-audio://` protocol: only files registered as
 * recordings, present, and unchanged since import (same SHA-256 as stored).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ApiError } from '../shared/api.ts';
import { contentTypeOf } from '../app/content-types.ts';
import type { Workspace } from '../app/workspace.ts';
import type { OpenRecordingAudio } from './audio-protocol.ts';

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function workspaceAudioSource(ws: Workspace): OpenRecordingAudio {
  return async (recordingId) => {
    const rec = ws.recordings.get(recordingId);
    if (!rec) throw new ApiError('not_found', `No recording with id ${recordingId}`);
    let sizeBytes: number;
    try {
      const st = await fs.promises.stat(rec.path);
      if (!st.isFile()) throw new Error('not a file');
      sizeBytes = st.size;
    } catch {
      throw new ApiError('not_found', `recording ${recordingId}: its file ${rec.path} is missing`);
    }
    if ((await sha256(rec.path)) !== rec.contentHash)
      throw new ApiError(
        'conflict',
        `recording ${recordingId}: its file ${rec.path} changed since it was imported`,
      );
    return {
      sizeBytes,
      contentType: contentTypeOf(rec.path),
      stream: (range) => fs.createReadStream(rec.path, range ? { start: range.start, end: range.end } : {}),
    };
  };
}
