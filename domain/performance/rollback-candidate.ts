/** Which earlier model version, if any, a SEVERE degradation should propose rolling back to. */
import type { ModelVersionRecord } from '../model/types.js';

export interface CurrentModel {
  readonly record: ModelVersionRecord;
  /** The current model's F1 in production over the evaluated window. */
  readonly productionF1: number;
}

export interface VersionWithProductionF1 {
  readonly record: ModelVersionRecord;
  /** The latest production F1 known for this version (from shadow scoring), or null when it was never scored. */
  readonly productionF1: number | null;
}

export type CandidateF1Source = 'production' | 'test_set';

export interface RollbackCandidate {
  readonly version: string;
  readonly record: ModelVersionRecord;
  /** The F1 that beat the current model's. */
  readonly f1: number;
  /** Whether `f1` is the version's shadow-scored production F1 or, lacking one, its test-set F1. */
  readonly f1Source: CandidateF1Source;
  readonly currentF1: number;
}

/** Orders dotted versions numerically (1.10.0 after 1.9.2); non-numeric parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const order = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    if (order !== 0) return order;
  }
  return 0;
}

/** Newest first: by training date, then by version for two versions trained on the same day. */
function newerFirst(a: VersionWithProductionF1, b: VersionWithProductionF1): number {
  if (a.record.trainingDate !== b.record.trainingDate) return a.record.trainingDate < b.record.trainingDate ? 1 : -1;
  return compareVersions(b.record.version, a.record.version);
}

/**
 * The newest version trained strictly before the current one, in stage 'stable', whose F1 beats the current
 * production F1; null when there is none. A version trained on the same day as the current one is not "before"
 * it: without a time of day the order is unknown, and proposing a sibling build as a rollback would surprise.
 *
 * The version's own production F1 from shadow scoring is used when it exists, because it was measured on the
 * same recent traffic as the current model's. Only a version never shadow-scored falls back to its test-set F1.
 * That fallback is a weaker comparison: test-set F1 is measured on the period the model was trained next to and
 * usually runs higher than anything seen in production, so a test-set candidate can look better than it will
 * be; the result says which was used so the approver can weigh it.
 */
export function selectRollbackCandidate(
  current: CurrentModel,
  versions: readonly VersionWithProductionF1[],
): RollbackCandidate | null {
  const eligible = versions
    .filter(
      (v) =>
        v.record.version !== current.record.version &&
        v.record.stage === 'stable' &&
        v.record.trainingDate < current.record.trainingDate,
    )
    .map((v): { v: VersionWithProductionF1; f1: number; f1Source: CandidateF1Source } => ({
      v,
      f1: v.productionF1 ?? v.record.testMetrics.f1,
      f1Source: v.productionF1 === null ? 'test_set' : 'production',
    }))
    .filter((c) => Number.isFinite(c.f1) && c.f1 > current.productionF1)
    .sort((a, b) => newerFirst(a.v, b.v));
  const best = eligible[0];
  if (best === undefined) return null;
  return {
    version: best.v.record.version,
    record: best.v.record,
    f1: best.f1,
    f1Source: best.f1Source,
    currentF1: current.productionF1,
  };
}
