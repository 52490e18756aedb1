/**
 * Stage 1: ingest the BhavCopy files up to the monitored day and turn the predictions whose
 * reaction window has closed into production_labels. Every write is an insert on a natural key
 * that does nothing on conflict, so a retry or a re-run of the day changes nothing.
 */
import crypto from 'node:crypto';
import { log } from '@temporalio/activity';
import { and, inArray, lte, sql } from 'drizzle-orm';
import { parseBhavCopy } from '../domain/bhavcopy/parse.js';
import type { BhavCopyFile, PriceRow, Scrip } from '../domain/bhavcopy/types.js';
import { deriveLabels, type LabelPrediction } from '../domain/labels/derive.js';
import type { Database } from '../db/client.js';
import { chunk, isoDay, queryRows } from '../db/rows.js';
import { bhavcopyFiles, dailyPrices, productionLabels, scrips } from '../db/schema/index.js';
import type { GroundTruthResult } from '../workflows/types.js';
import type { ActivityDeps } from './context.js';
import { listSourceFiles, type SourceFile } from './bhavcopy-source.js';

/** Labels older than the longest performance window no longer matter; their exceptions stop being reported. */
const LABEL_LOOKBACK_DAYS = 90;

async function ingestFile(db: Database, file: SourceFile, parsed: BhavCopyFile, sha256: string): Promise<boolean> {
  // One transaction per file: a file is stored whole or not at all.
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(bhavcopyFiles)
      .values({
        tradeDate: parsed.tradeDate,
        fileName: file.fileName,
        layout: parsed.layout,
        sha256,
        rowCount: parsed.rows.length,
      })
      .onConflictDoNothing()
      .returning({ tradeDate: bhavcopyFiles.tradeDate });
    if (claimed.length === 0) return false;
    for (const rows of chunk(parsed.rows, 2000)) {
      await tx
        .insert(dailyPrices)
        .values(
          rows.map((r) => ({
            tradeDate: parsed.tradeDate,
            bseCode: r.bseCode,
            open: r.open,
            high: r.high,
            low: r.low,
            close: r.close,
            last: r.last,
            prevClose: r.prevClose,
            sourceFile: file.fileName,
          })),
        )
        .onConflictDoNothing();
    }
    return true;
  });
}

async function ingestFilesUpTo(deps: ActivityDeps, date: string): Promise<GroundTruthResult['filesIngested']> {
  const { db, config } = deps;
  const known = await db
    .select({ tradeDate: bhavcopyFiles.tradeDate, fileName: bhavcopyFiles.fileName })
    .from(bhavcopyFiles);
  const knownNames = new Set(known.map((k) => k.fileName));
  const knownDays = new Set(known.map((k) => isoDay(k.tradeDate)));
  const candidates = (await listSourceFiles(config.bhavcopySource, date)).filter(
    (f) =>
      !knownNames.has(f.fileName) && (f.tradeDate === null || (f.tradeDate <= date && !knownDays.has(f.tradeDate))),
  );
  const ingested: { tradeDate: string; fileName: string; layout: string; rows: number }[] = [];
  for (const file of candidates) {
    const bytes = await file.read();
    const parsed = parseBhavCopy(bytes, file.fileName);
    if (parsed.tradeDate > date || knownDays.has(parsed.tradeDate)) continue;
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    if (await ingestFile(db, file, parsed, sha256)) {
      knownDays.add(parsed.tradeDate);
      ingested.push({
        tradeDate: parsed.tradeDate,
        fileName: file.fileName,
        layout: parsed.layout,
        rows: parsed.rows.length,
      });
      log.info('bhavcopy ingested', { fileName: file.fileName, tradeDate: parsed.tradeDate, rows: parsed.rows.length });
    }
  }
  return ingested;
}

interface UnlabeledRow {
  bse_code: number;
  prediction_date: string | Date;
  earnings_date: string | Date;
  model_version: string;
  predicted_label: number;
  predicted_probability: number;
}

async function loadUnlabeled(db: Database, date: string): Promise<LabelPrediction[]> {
  const rows = await queryRows<UnlabeledRow>(
    db,
    sql`select p.bse_code, p.prediction_date, p.earnings_date, p.model_version, p.predicted_label, p.predicted_probability
        from predictions p
        left join production_labels l on l.bse_code = p.bse_code and l.prediction_date = p.prediction_date
        where p.served and l.label_id is null
          and p.prediction_date <= ${date}::date
          and p.prediction_date > ${date}::date - ${LABEL_LOOKBACK_DAYS}::int
        order by p.prediction_date, p.bse_code`,
  );
  return rows.map((r) => ({
    bseCode: r.bse_code,
    predictionDate: isoDay(r.prediction_date),
    earningsDate: isoDay(r.earnings_date),
    modelVersion: r.model_version,
    predictedLabel: r.predicted_label === 1 ? 1 : 0,
    predictedProbability: r.predicted_probability,
  }));
}

async function loadPrices(
  db: Database,
  days: readonly string[],
  codes: readonly number[],
): Promise<Map<string, Map<number, PriceRow>>> {
  const byDate = new Map<string, Map<number, PriceRow>>(days.map((d) => [d, new Map()]));
  if (days.length === 0 || codes.length === 0) return byDate;
  const rows = await db
    .select()
    .from(dailyPrices)
    .where(and(inArray(dailyPrices.tradeDate, [...days]), inArray(dailyPrices.bseCode, [...codes])));
  for (const r of rows) {
    byDate.get(isoDay(r.tradeDate))?.set(r.bseCode, {
      bseCode: r.bseCode,
      name: '',
      isin: null,
      group: null,
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      last: r.last,
      prevClose: r.prevClose,
    });
  }
  return byDate;
}

export async function collectGroundTruth(
  deps: ActivityDeps,
  input: { date: string; reactionWindowDays: number },
): Promise<GroundTruthResult> {
  const { db } = deps;
  const { date, reactionWindowDays } = input;
  const filesIngested = await ingestFilesUpTo(deps, date);

  const tradingDays = (
    await db
      .select({ d: bhavcopyFiles.tradeDate })
      .from(bhavcopyFiles)
      .where(lte(bhavcopyFiles.tradeDate, date))
      .orderBy(bhavcopyFiles.tradeDate)
  ).map((r) => isoDay(r.d));
  const predictions = await loadUnlabeled(db, date);
  const codes = [...new Set(predictions.map((p) => p.bseCode))];
  const firstPrediction = predictions[0]?.predictionDate ?? date;
  const windowDays = tradingDays.filter((d) => d > firstPrediction);
  const scripRows = codes.length === 0 ? [] : await db.select().from(scrips).where(inArray(scrips.bseCode, codes));
  const scripMap = new Map<number, Scrip>(
    scripRows.map((s) => [
      s.bseCode,
      {
        bseCode: s.bseCode,
        name: s.name,
        isin: s.isin,
        group: s.scripGroup,
        priceBandPct: s.priceBandPct as Scrip['priceBandPct'],
      },
    ]),
  );
  const pricesByDate = await loadPrices(db, windowDays, codes);
  const derived = deriveLabels({ predictions, scrips: scripMap, pricesByDate, tradingDays, reactionWindowDays });

  let inserted = 0;
  for (const rows of chunk(derived.labels, 2000)) {
    const written = await db
      .insert(productionLabels)
      .values(rows.map((l) => ({ ...l })))
      .onConflictDoNothing()
      .returning({ id: productionLabels.labelId });
    inserted += written.length;
  }
  // Reported from the table, not from this attempt's inserts: after a retry of a killed attempt, or a re-run of
  // the day, the figure is still the labels the day settled.
  const [counts] = await queryRows<{ predictions: number; settled: number }>(
    db,
    sql`select
          (select count(*)::int from predictions where served and prediction_date = ${date}::date) as predictions,
          (select count(*)::int from production_labels where outcome_date = ${date}::date) as settled`,
  );
  const labelsWritten = counts?.settled ?? 0;
  log.info('ground truth collected', {
    date,
    files: filesIngested.length,
    labelsWritten,
    insertedByThisAttempt: inserted,
    pending: derived.pending.length,
    exceptions: derived.exceptions.length,
  });
  return {
    date,
    filesIngested,
    bhavcopyForDate: tradingDays.includes(date),
    predictionsForDate: counts?.predictions ?? 0,
    labelsWritten,
    labelsPending: derived.pending.length,
    exceptions: derived.exceptions.map((e) => ({
      bseCode: e.bseCode,
      predictionDate: e.predictionDate,
      reason: e.reason,
      detail: e.detail,
    })),
  };
}
