/**
 * Bad input for the reliability suite: a private copy of the BhavCopy source directory whose files can be corrupted
 * and restored, prediction rows carrying NaN, infinite or missing features, snapshots of the tables a run writes, and
 * the unwinding of a Temporal failure chain into the names and messages a person reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { tradeDateFromFileName } from '../../activities/bhavcopy-source.js';
import type { Database } from '../../db/client.js';
import { queryRows } from '../../db/rows.js';

/** A copy of a BhavCopy directory a test may break; the originals are never touched. */
export interface BhavCopySourceCopy {
  readonly dir: string;
  /** The file for a trade date (by its name), or an error naming the date. */
  fileFor(tradeDate: string): string;
  /** Replaces one cell of a data row; the first of `columns` the header has is used (layouts name prices apart). */
  corruptCell(
    tradeDate: string,
    options: { row: number; columns: readonly string[]; value: string },
  ): { line: number; column: string };
  /** Cuts the file inside a data row, as an interrupted download does; returns the line left incomplete. */
  truncate(tradeDate: string, options: { row: number }): { line: number };
  /** Puts the original file back. */
  restore(tradeDate: string): void;
  remove(): void;
}

export function copyBhavCopySource(sourceDir: string): BhavCopySourceCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-bhavcopy-'));
  for (const name of fs.readdirSync(sourceDir)) fs.copyFileSync(path.join(sourceDir, name), path.join(dir, name));
  const fileFor = (tradeDate: string): string => {
    const name = fs.readdirSync(dir).find((n) => tradeDateFromFileName(n) === tradeDate);
    if (!name) throw new Error(`no BhavCopy file named for ${tradeDate} in ${dir}`);
    return name;
  };
  const csvLines = (tradeDate: string): { name: string; lines: string[] } => {
    const name = fileFor(tradeDate);
    if (!/\.csv$/i.test(name)) throw new Error(`${name} is zipped: pick a day with a plain CSV to corrupt`);
    return { name, lines: fs.readFileSync(path.join(dir, name), 'utf8').split('\n') };
  };
  return {
    dir,
    fileFor,
    corruptCell(tradeDate, { row, columns, value }) {
      const { name, lines } = csvLines(tradeDate);
      const header = (lines[0] ?? '').split(',').map((c) => c.trim());
      const column = columns.find((c) => header.includes(c));
      if (column === undefined)
        throw new Error(`${name} has none of ${columns.join(', ')}; its header is ${header.join(',')}`);
      const index = header.indexOf(column);
      const cells = (lines[row] ?? '').split(',');
      cells[index] = value;
      lines[row] = cells.join(',');
      fs.writeFileSync(path.join(dir, name), lines.join('\n'));
      return { line: row + 1, column };
    },
    truncate(tradeDate, { row }) {
      const { name, lines } = csvLines(tradeDate);
      const target = lines[row] ?? '';
      // Half the row keeps fewer separators than the header, whatever the layout.
      const kept = [...lines.slice(0, row), target.slice(0, Math.floor(target.length / 2))];
      fs.writeFileSync(path.join(dir, name), kept.join('\n'));
      return { line: row + 1 };
    },
    restore(tradeDate) {
      const name = fileFor(tradeDate);
      fs.copyFileSync(path.join(sourceDir, name), path.join(dir, name));
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What each table the pipeline writes holds, without ids and clock columns, as comparable text. */
export const PIPELINE_TABLES: Readonly<Record<string, string>> = {
  bhavcopy_files: 'select trade_date, file_name, sha256, row_count from bhavcopy_files order by 1, 2',
  daily_prices: `select trade_date, count(*)::int as n, sum(close::numeric)::text as s from daily_prices
                 group by 1 order by 1`,
  predictions: `select prediction_date, model_version, count(*)::int as n, sum(predicted_probability)::text as p
                from predictions group by 1, 2 order by 1, 2`,
  production_labels: `select bse_code, prediction_date, actual_label, predicted_label, model_version, outcome_date
                      from production_labels order by 1, 2`,
  model_performance_history: `select evaluation_date, model_version, window_days, predictions, f1, roc_auc, f1_ci_low,
                              severity from model_performance_history order by 1, 2, 3`,
  drift_feature_results: `select report_date, feature_name, rows, missing, non_finite, ks_statistic, psi_daily, status
                          from drift_feature_results order by 1, 2`,
  drift_baselines: 'select model_version, feature_name, sample_size from drift_baselines order by 1, 2',
  monitoring_reports: 'select kind, report_date, severity, file_path, body from monitoring_reports order by 1, 2',
  alerts: 'select dedup_key, source, level, severity, title, status from alerts order by 1',
  monitoring_runs: 'select run_date, drift_severity, degradation_severity from monitoring_runs order by 1',
  model_versions: 'select version, stage, is_active from model_versions order by 1',
  model_rollback_history:
    'select workflow_id, event, from_version, to_version, actor from model_rollback_history order by 1, 2',
};

export type TableSnapshot = Record<string, string>;

export async function snapshotTables(
  db: Database,
  tables: Readonly<Record<string, string>> = PIPELINE_TABLES,
): Promise<TableSnapshot> {
  const out: TableSnapshot = {};
  for (const [table, query] of Object.entries(tables)) out[table] = JSON.stringify(await queryRows(db, sql.raw(query)));
  return out;
}

/** The tables whose snapshot differs, with both row counts: an empty list means nothing changed. */
export function changedTables(before: TableSnapshot, after: TableSnapshot): string[] {
  return Object.keys(before)
    .filter((t) => before[t] !== after[t])
    .map(
      (t) =>
        `${t}: ${(JSON.parse(before[t]!) as unknown[]).length} -> ${(JSON.parse(after[t] ?? '[]') as unknown[]).length} rows`,
    );
}

/** Rows present before and missing (or changed) after, per table: what a scenario lost. */
export function lostRows(before: TableSnapshot, after: TableSnapshot): Record<string, number> {
  const lost: Record<string, number> = {};
  for (const table of Object.keys(before)) {
    const now = new Set((JSON.parse(after[table] ?? '[]') as unknown[]).map((r) => JSON.stringify(r)));
    const missing = (JSON.parse(before[table]!) as unknown[]).filter((r) => !now.has(JSON.stringify(r))).length;
    if (missing > 0) lost[table] = missing;
  }
  return lost;
}

/** The natural key of every table a run writes; a count above zero is a row stored twice. */
const NATURAL_KEYS: Readonly<Record<string, string>> = {
  daily_prices: 'trade_date, bse_code',
  predictions: 'model_version, bse_code, prediction_date',
  production_labels: 'bse_code, prediction_date',
  model_performance_history: 'evaluation_date, model_version, window_days',
  drift_feature_results: 'report_date, model_version, feature_name',
  monitoring_reports: 'kind, report_date, model_version',
  monitoring_runs: 'run_date',
  alerts: 'dedup_key',
};

export async function duplicateKeys(db: Database): Promise<number> {
  let total = 0;
  for (const [table, key] of Object.entries(NATURAL_KEYS)) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql.raw(`select count(*)::int as n from (select ${key} from ${table} group by ${key} having count(*) > 1) d`),
    );
    total += row?.n ?? 0;
  }
  return total;
}

/** One link of a failure chain: its class, the ApplicationFailure type when it has one, and its message. */
export interface FailureLink {
  readonly name: string;
  readonly type: string | undefined;
  readonly message: string;
}

export function failureChain(err: unknown): FailureLink[] {
  const chain: FailureLink[] = [];
  let current: unknown = err;
  while (current instanceof Error && chain.length < 10) {
    const type = (current as { type?: unknown }).type;
    chain.push({
      name: current.constructor.name,
      type: typeof type === 'string' ? type : undefined,
      message: current.message,
    });
    current = current.cause;
  }
  return chain;
}

/** Resolves with the rejection of `promise`, failing when it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * Copies `count` served predictions of `version` on `date` as new rows with scrip codes from `firstCode` upwards,
 * each feature set by `features` (a SQL expression per feature, e.g. `'NaN'::float8`, `null`); the others keep the
 * copied value. Returns how many rows were inserted.
 */
export async function insertFeatureFaults(
  db: Database,
  options: {
    date: string;
    version: string;
    count: number;
    firstCode: number;
    features: Readonly<Record<string, string>>;
  },
  featureNames: readonly string[],
): Promise<number> {
  const columns = featureNames.map((f) => (f in options.features ? `${options.features[f]} as ${f}` : f)).join(', ');
  const rows = await queryRows<{ n: number }>(
    db,
    sql.raw(`with src as (
               select row_number() over (order by bse_code) as k, * from predictions
               where prediction_date = '${options.date}' and model_version = '${options.version}' and served
             ), ins as (
               insert into predictions (bse_code, prediction_date, earnings_date, model_version, predicted_probability,
                                        predicted_label, served, ${featureNames.join(', ')})
               select ${options.firstCode} + k - 1, prediction_date, earnings_date, model_version, predicted_probability,
                      predicted_label, served, ${columns}
               from (select * from src where k <= ${options.count}) s
               returning 1
             ) select count(*)::int as n from ins`),
  );
  return rows[0]?.n ?? 0;
}
