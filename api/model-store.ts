/**
 * The active model, read from the registry (`model_versions`) and kept in memory. The registry is asked at most
 * once per refresh interval whether the active version changed; while that check runs, requests keep being
 * answered by the model already loaded, so a slow database never stalls predictions. A rollback route calls
 * `reload()` to switch at once instead of waiting for the next check.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { isoDay, queryRows } from '../db/rows.js';
import type { FeatureImportance, ModelArtifact, ModelStage, TestMetrics } from '../domain/model/types.js';
import { ApiError } from './errors.js';

export interface ActiveModel {
  readonly version: string;
  readonly modelType: string;
  readonly trainingDate: string;
  readonly trainingWindow: { readonly start: string; readonly end: string };
  readonly testMetrics: TestMetrics;
  readonly featureImportances: readonly FeatureImportance[];
  readonly stage: ModelStage;
  readonly activatedAt: string | null;
  readonly artifact: ModelArtifact;
}

export interface ModelSource {
  /** The model to serve now; throws ApiError NO_ACTIVE_MODEL when the registry has none. */
  current(): Promise<ActiveModel>;
  /** Reads the registry now and returns the active model (null if none). */
  reload(): Promise<ActiveModel | null>;
}

interface ActiveRow {
  version: string;
  model_type: string;
  training_date: string | Date;
  training_window_start: string | Date;
  training_window_end: string | Date;
  test_f1: number;
  test_precision: number;
  test_recall: number;
  test_roc_auc: number;
  feature_importances: FeatureImportance[] | string;
  artifact: ModelArtifact | string;
  stage: ModelStage;
  activated_at: string | Date | null;
}

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function toActiveModel(row: ActiveRow): ActiveModel {
  const activatedAt = row.activated_at;
  return {
    version: row.version,
    modelType: row.model_type,
    trainingDate: isoDay(row.training_date),
    trainingWindow: { start: isoDay(row.training_window_start), end: isoDay(row.training_window_end) },
    testMetrics: {
      f1: Number(row.test_f1),
      precision: Number(row.test_precision),
      recall: Number(row.test_recall),
      rocAuc: Number(row.test_roc_auc),
    },
    featureImportances: parseJson(row.feature_importances),
    stage: row.stage,
    activatedAt: activatedAt === null ? null : new Date(activatedAt).toISOString(),
    artifact: parseJson(row.artifact),
  };
}

export class RegistryModelStore implements ModelSource {
  private model: ActiveModel | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<ActiveModel | null> | null = null;

  constructor(
    private readonly db: Database,
    private readonly refreshMs: number,
    private readonly onChange: (from: string | null, to: string | null) => void = () => undefined,
    /** A failed background check; the loaded model keeps serving, so the failure is reported, not thrown. */
    private readonly onCheckFailed: (err: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async current(): Promise<ActiveModel> {
    if (this.now() - this.checkedAt >= this.refreshMs) {
      const pending = this.reload();
      if (this.model === null) await pending;
      else pending.catch(this.onCheckFailed);
    }
    if (this.model === null) {
      throw new ApiError('NO_ACTIVE_MODEL', 'the model registry has no active version; activate one in model_versions');
    }
    return this.model;
  }

  reload(): Promise<ActiveModel | null> {
    this.inFlight ??= this.fetchActive().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async fetchActive(): Promise<ActiveModel | null> {
    // The cheap probe first: the artifact JSON is only read when the active version changed.
    const probe = await queryRows<{ version: string }>(
      this.db,
      sql`select version from model_versions where is_active`,
    );
    this.checkedAt = this.now();
    const version = probe[0]?.version ?? null;
    if (version === (this.model?.version ?? null)) return this.model;
    let next: ActiveModel | null = null;
    if (version !== null) {
      const rows = await queryRows<ActiveRow>(
        this.db,
        sql`select version, model_type, training_date, training_window_start, training_window_end, test_f1,
                   test_precision, test_recall, test_roc_auc, feature_importances, artifact, stage, activated_at
            from model_versions where version = ${version}`,
      );
      next = rows[0] ? toActiveModel(rows[0]) : null;
    }
    const previous = this.model?.version ?? null;
    this.model = next;
    this.onChange(previous, next?.version ?? null);
    return next;
  }
}

/** A fixed model, for benchmarks and tests that are not about the registry. */
export function staticModelSource(model: ActiveModel): ModelSource {
  return { current: () => Promise.resolve(model), reload: () => Promise.resolve(model) };
}
