/**
 * Turns predictions into ground-truth labels once the BhavCopies of their reaction window exist. The rule is
 * written out in domain/labels/README.md; this file is its one implementation.
 */
import type { PriceRow, Scrip } from '../bhavcopy/types.js';
import { hitUpperCircuit } from './upper-circuit.js';

export class LabelInputError extends Error {
  override readonly name = 'LabelInputError';
}

export interface LabelPrediction {
  readonly bseCode: number;
  /** ISO date. */
  readonly predictionDate: string;
  /** ISO date of the earnings announcement. */
  readonly earningsDate: string;
  readonly modelVersion: string;
  readonly predictedLabel: 0 | 1;
  readonly predictedProbability: number;
}

export interface DeriveLabelsInput {
  readonly predictions: readonly LabelPrediction[];
  readonly scrips: ReadonlyMap<number, Scrip>;
  /** ISO trade date -> scrip code -> that day's prices. */
  readonly pricesByDate: ReadonlyMap<string, ReadonlyMap<number, PriceRow>>;
  /** Ascending ISO dates that have a BhavCopy; the calendar of the reaction window. */
  readonly tradingDays: readonly string[];
  /** How many trading days after the announcement count as its reaction; 1 = the first trading day after. */
  readonly reactionWindowDays?: number;
  /** Price tick used for the band; 0.05 unless the caller knows better. */
  readonly tickSize?: number;
}

export interface DerivedLabel {
  readonly bseCode: number;
  readonly predictionDate: string;
  readonly earningsDate: string;
  readonly actualLabel: 0 | 1;
  readonly predictedLabel: 0 | 1;
  readonly predictedProbability: number;
  readonly modelVersion: string;
  /** The last trading day of the reaction window: the day the label became final. */
  readonly outcomeDate: string;
}

export interface PendingLabel {
  readonly bseCode: number;
  readonly predictionDate: string;
  readonly earningsDate: string;
  readonly modelVersion: string;
  readonly reason: 'window not complete';
  readonly tradingDaysAvailable: number;
  readonly tradingDaysNeeded: number;
}

export type LabelExceptionReason =
  /** No static data for the scrip, so no band: the scrip master is behind the predictions. */
  | 'missing_scrip'
  /** The scrip is absent from a window day's BhavCopy: suspended, or not traded that day. */
  | 'suspended'
  /** The scrip's static data carries no usable band percentage. */
  | 'no_price_band'
  /** A window day is in the trading calendar but its prices were not supplied. */
  | 'missing_price_file'
  /** The row's previous close cannot carry a band (zero after a long suspension, for instance). */
  | 'invalid_prev_close';

export interface LabelException {
  readonly bseCode: number;
  readonly predictionDate: string;
  readonly earningsDate: string;
  readonly modelVersion: string;
  readonly reason: LabelExceptionReason;
  readonly detail: string;
}

export interface DeriveLabelsResult {
  readonly labels: DerivedLabel[];
  readonly pending: PendingLabel[];
  readonly exceptions: LabelException[];
}

const VALID_BANDS: ReadonlySet<number> = new Set([2, 5, 10, 20]);

/** Index of the first trading day strictly after `date` (ISO strings compare as dates). */
function firstIndexAfter(days: readonly string[], date: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid]! <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkInput(input: DeriveLabelsInput, windowDays: number): void {
  if (!Number.isInteger(windowDays) || windowDays < 1) {
    throw new LabelInputError(`reactionWindowDays ${windowDays} must be a whole number of at least 1`);
  }
  const days = input.tradingDays;
  for (let i = 1; i < days.length; i++) {
    if (days[i - 1]! >= days[i]!) {
      throw new LabelInputError(`tradingDays must ascend without repeats: ${days[i - 1]} is followed by ${days[i]}`);
    }
  }
}

/**
 * Labels each prediction whose reaction window is complete. A 1 needs one day at the band; a 0 needs every
 * window day to be seen below it, so a scrip missing from a window day yields a 1 if another day hit and an
 * exception otherwise, never a guessed 0: a suspended scrip did not fail to hit its circuit, it could not trade.
 */
export function deriveLabels(input: DeriveLabelsInput): DeriveLabelsResult {
  const windowDays = input.reactionWindowDays ?? 1;
  checkInput(input, windowDays);
  const result: DeriveLabelsResult = { labels: [], pending: [], exceptions: [] };

  for (const p of input.predictions) {
    const key = {
      bseCode: p.bseCode,
      predictionDate: p.predictionDate,
      earningsDate: p.earningsDate,
      modelVersion: p.modelVersion,
    };
    const exception = (reason: LabelExceptionReason, detail: string) =>
      result.exceptions.push({ ...key, reason, detail });

    const start = firstIndexAfter(input.tradingDays, p.earningsDate);
    const window = input.tradingDays.slice(start, start + windowDays);
    if (window.length < windowDays) {
      // Checked before the scrip so a prediction waits quietly instead of raising an exception it may outgrow.
      result.pending.push({
        ...key,
        reason: 'window not complete',
        tradingDaysAvailable: window.length,
        tradingDaysNeeded: windowDays,
      });
      continue;
    }

    const scrip = input.scrips.get(p.bseCode);
    if (scrip === undefined) {
      exception('missing_scrip', `scrip ${p.bseCode} is not in the scrip master, so its price band is unknown`);
      continue;
    }
    if (!VALID_BANDS.has(scrip.priceBandPct)) {
      exception(
        'no_price_band',
        `scrip ${p.bseCode} has price band ${String(scrip.priceBandPct)}, not 2, 5, 10 or 20%`,
      );
      continue;
    }

    let hit = false;
    const unseen: { reason: LabelExceptionReason; detail: string }[] = [];
    for (const day of window) {
      const prices = input.pricesByDate.get(day);
      if (prices === undefined) {
        unseen.push({ reason: 'missing_price_file', detail: `no prices were supplied for trading day ${day}` });
        continue;
      }
      const row = prices.get(p.bseCode);
      if (row === undefined) {
        unseen.push({
          reason: 'suspended',
          detail: `scrip ${p.bseCode} is absent from the ${day} BhavCopy (suspended or not traded)`,
        });
        continue;
      }
      if (!(row.prevClose > 0)) {
        unseen.push({
          reason: 'invalid_prev_close',
          detail: `scrip ${p.bseCode} has previous close ${row.prevClose} on ${day}, so no band can be placed`,
        });
        continue;
      }
      if (hitUpperCircuit(row, scrip.priceBandPct, input.tickSize)) hit = true;
    }

    if (!hit && unseen.length > 0) {
      const first = unseen[0]!;
      const more = unseen.length > 1 ? ` (and ${unseen.length - 1} more window day(s) unseen)` : '';
      exception(first.reason, `${first.detail}${more}`);
      continue;
    }
    result.labels.push({
      ...key,
      actualLabel: hit ? 1 : 0,
      predictedLabel: p.predictedLabel,
      predictedProbability: p.predictedProbability,
      outcomeDate: window[window.length - 1]!,
    });
  }
  return result;
}
