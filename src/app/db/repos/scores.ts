import type { Db } from '../database.ts';
import type { AlarmStatus, RecordingRole, Score } from '../../../shared/domain.ts';
import { allRows, nowIso, parseJson } from './util.ts';

interface ScoreRow {
  id: number;
  recording_id: number;
  model_id: number;
  backend: string;
  clip_score: number;
  window_scores: string;
  window_starts_s: string;
  scored_at: string;
}
const toScore = (r: ScoreRow): Score => ({
  id: r.id,
  recordingId: r.recording_id,
  modelId: r.model_id,
  backend: r.backend,
  clipScore: r.clip_score,
  windowScores: parseJson(r.window_scores, []),
  windowStartsS: parseJson(r.window_starts_s, []),
  scoredAt: r.scored_at,
});

export class ScoreRepository {
  constructor(private readonly db: Db) {}

  /** Stores (or replaces) the score of a recording under a model. */
  upsert(s: Omit<Score, 'id' | 'scoredAt'>): Score {
    this.db
      .prepare(
        `INSERT INTO score (recording_id, model_id, backend, clip_score, window_scores, window_starts_s, scored_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (recording_id, model_id) DO UPDATE SET backend = excluded.backend, clip_score = excluded.clip_score,
           window_scores = excluded.window_scores, window_starts_s = excluded.window_starts_s, scored_at = excluded.scored_at`,
      )
      .run(
        ...[s.recordingId, s.modelId, s.backend, s.clipScore],
        ...[JSON.stringify(s.windowScores), JSON.stringify(s.windowStartsS), nowIso()],
      );
    return this.get(s.recordingId, s.modelId)!;
  }
  get(recordingId: number, modelId: number): Score | undefined {
    const r = this.db
      .prepare('SELECT * FROM score WHERE recording_id = ? AND model_id = ?')
      .get(recordingId, modelId) as ScoreRow | undefined;
    return r && toScore(r);
  }
  /** Removes every score of a recording (it moved to another machine: they were that machine's). */
  deleteForRecording(recordingId: number): number {
    return this.db.prepare('DELETE FROM score WHERE recording_id = ?').run(recordingId).changes;
  }
  forRecording(recordingId: number): Score[] {
    const sql = 'SELECT * FROM score WHERE recording_id = ? ORDER BY model_id';
    return allRows(this.db, sql, [recordingId], toScore);
  }
  /** Clip scores of one machine's recordings under a model, with the recordings' labels and roles. */
  labelledScores(
    modelId: number,
    machineId: number,
  ): { recordingId: number; clipScore: number; label: string; role: string }[] {
    return this.db
      .prepare(
        `SELECT s.recording_id AS recordingId, s.clip_score AS clipScore, r.label AS label, r.role AS role
           FROM score s JOIN recording r ON r.id = s.recording_id
          WHERE s.model_id = ? AND r.machine_id = ? ORDER BY r.id`,
      )
      .all(modelId, machineId) as { recordingId: number; clipScore: number; label: string; role: string }[];
  }

  /**
   * Labelled evaluation clips of a machine scored by both models: role test/monitor only (a
   * training clip is never evaluated), label normal or anomaly.
   */
  pairedEvaluationScores(
    modelA: number,
    modelB: number,
    machineId: number,
  ): { recordingId: number; label: 'normal' | 'anomaly'; a: number; b: number }[] {
    return this.db
      .prepare(
        `SELECT r.id AS recordingId, r.label AS label, sa.clip_score AS a, sb.clip_score AS b FROM recording r
           JOIN score sa ON sa.recording_id = r.id AND sa.model_id = ?
           JOIN score sb ON sb.recording_id = r.id AND sb.model_id = ?
          WHERE r.machine_id = ? AND r.role != 'train' AND r.label IN ('normal', 'anomaly') ORDER BY r.id`,
      )
      .all(modelA, modelB, machineId) as {
      recordingId: number;
      label: 'normal' | 'anomaly';
      a: number;
      b: number;
    }[];
  }

  /**
   * Every stored clip score of a machine under a model, with the recording's role and its alarm
   * (one per recording, from whichever model raised it): what the alarm rule is applied to.
   */
  withAlarms(modelId: number, machineId: number): ScoreWithAlarm[] {
    return this.db
      .prepare(
        `SELECT s.id AS scoreId, s.recording_id AS recordingId, r.role AS role, s.clip_score AS clipScore,
                a.id AS alarmId, a.status AS alarmStatus
           FROM score s JOIN recording r ON r.id = s.recording_id
           LEFT JOIN alarm a ON a.recording_id = r.id
          WHERE s.model_id = ? AND r.machine_id = ? ORDER BY r.id`,
      )
      .all(modelId, machineId) as ScoreWithAlarm[];
  }
}

export interface ScoreWithAlarm {
  scoreId: number;
  recordingId: number;
  role: RecordingRole;
  clipScore: number;
  alarmId: number | null;
  alarmStatus: AlarmStatus | null;
}
