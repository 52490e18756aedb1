import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBhavCopy } from '../bhavcopy/parse.js';
import type { PriceRow, Scrip } from '../bhavcopy/types.js';
import { LabelInputError, deriveLabels, type LabelPrediction } from './derive.js';

// Three real-shaped BhavCopies: Fri 14, Mon 17 and Tue 18 November 2025. Scrip 531234 (5% band) is locked at
// its upper circuit on all three days; 539999 trades only on the 14th.
const files = ['EQ_ISINCODE_141125.CSV', 'EQ171125.CSV', 'BhavCopy_BSE_CM_0_0_0_20251118_F_0000.CSV'].map((name) =>
  parseBhavCopy(new Uint8Array(readFileSync(new URL(`../bhavcopy/fixtures/${name}`, import.meta.url))), name),
);
const pricesByDate = new Map(files.map((f) => [f.tradeDate, new Map(f.rows.map((r) => [r.bseCode, r]))]));
const tradingDays = files.map((f) => f.tradeDate);

function scrip(bseCode: number, priceBandPct: Scrip['priceBandPct']): [number, Scrip] {
  return [bseCode, { bseCode, name: `S${bseCode}`, isin: 'INE000000000', group: 'B', priceBandPct }];
}
const scrips = new Map([scrip(500002, 10), scrip(500325, 20), scrip(531234, 5), scrip(539999, 2)]);

function prediction(bseCode: number, earningsDate: string, predictedLabel: 0 | 1 = 1): LabelPrediction {
  return {
    bseCode,
    predictionDate: '2025-11-10',
    earningsDate,
    modelVersion: '1.2.0',
    predictedLabel,
    predictedProbability: 0.7,
  };
}

describe('deriveLabels', () => {
  it('labels 1 a scrip at its upper circuit on the first trading day after the announcement', () => {
    // Announced on Friday the 14th: the window is Monday the 17th, where 531234 is locked at 57.85.
    const { labels, pending, exceptions } = deriveLabels({
      predictions: [prediction(531234, '2025-11-14')],
      scrips,
      pricesByDate,
      tradingDays,
    });
    expect(pending).toEqual([]);
    expect(exceptions).toEqual([]);
    expect(labels).toEqual([
      {
        bseCode: 531234,
        predictionDate: '2025-11-10',
        earningsDate: '2025-11-14',
        modelVersion: '1.2.0',
        actualLabel: 1,
        predictedLabel: 1,
        predictedProbability: 0.7,
        outcomeDate: '2025-11-17',
      },
    ]);
  });

  it('labels 0 a scrip that traded below its band, and skips the announcement day itself', () => {
    // Announced on Saturday the 15th: the window starts on Monday the 17th.
    const { labels } = deriveLabels({
      predictions: [prediction(500002, '2025-11-15', 0), prediction(500325, '2025-11-15')],
      scrips,
      pricesByDate,
      tradingDays,
    });
    expect(labels.map((l) => [l.bseCode, l.actualLabel, l.outcomeDate])).toEqual([
      [500002, 0, '2025-11-17'],
      [500325, 0, '2025-11-17'],
    ]);
  });

  it('keeps a prediction pending until its whole window has a BhavCopy', () => {
    const { labels, pending } = deriveLabels({
      predictions: [prediction(500002, '2025-11-17'), prediction(500002, '2025-11-18')],
      scrips,
      pricesByDate,
      tradingDays,
      reactionWindowDays: 2,
    });
    expect(labels).toEqual([]);
    expect(pending.map((p) => [p.earningsDate, p.reason, p.tradingDaysAvailable, p.tradingDaysNeeded])).toEqual([
      ['2025-11-17', 'window not complete', 1, 2],
      ['2025-11-18', 'window not complete', 0, 2],
    ]);
  });

  it('uses the last window day as the outcome date of a multi-day window', () => {
    const { labels } = deriveLabels({
      predictions: [prediction(500002, '2025-11-13')],
      scrips,
      pricesByDate,
      tradingDays,
      reactionWindowDays: 3,
    });
    expect(labels[0]).toMatchObject({ actualLabel: 0, outcomeDate: '2025-11-18' });
  });

  it('reports a scrip absent from a window day as suspended rather than guessing 0', () => {
    const { labels, exceptions } = deriveLabels({
      predictions: [prediction(539999, '2025-11-14')],
      scrips,
      pricesByDate,
      tradingDays,
    });
    expect(labels).toEqual([]);
    expect(exceptions).toEqual([
      {
        bseCode: 539999,
        predictionDate: '2025-11-10',
        earningsDate: '2025-11-14',
        modelVersion: '1.2.0',
        reason: 'suspended',
        detail: 'scrip 539999 is absent from the 2025-11-17 BhavCopy (suspended or not traded)',
      },
    ]);
  });

  it('still labels 1 when the scrip hit on one window day and was absent on another', () => {
    const hitDay: PriceRow = { ...pricesByDate.get('2025-11-14')!.get(539999)!, high: 10.4, prevClose: 10.2 };
    const prices = new Map(pricesByDate);
    prices.set('2025-11-18', new Map([[539999, hitDay]]));
    const { labels, exceptions } = deriveLabels({
      predictions: [prediction(539999, '2025-11-14')],
      scrips,
      pricesByDate: prices,
      tradingDays,
      reactionWindowDays: 2,
    });
    expect(exceptions).toEqual([]);
    expect(labels[0]).toMatchObject({ actualLabel: 1, outcomeDate: '2025-11-18' });
  });

  it('reports a scrip missing from the scrip master, a missing band and a missing price file', () => {
    const noBand = new Map(scrips);
    noBand.set(500325, { ...scrips.get(500325)!, priceBandPct: 0 as Scrip['priceBandPct'] });
    const prices = new Map(pricesByDate);
    prices.delete('2025-11-17');
    const { exceptions } = deriveLabels({
      predictions: [
        prediction(999999, '2025-11-14'),
        prediction(500325, '2025-11-14'),
        prediction(500002, '2025-11-14'),
      ],
      scrips: noBand,
      pricesByDate: prices,
      tradingDays,
    });
    expect(exceptions.map((e) => [e.bseCode, e.reason])).toEqual([
      [999999, 'missing_scrip'],
      [500325, 'no_price_band'],
      [500002, 'missing_price_file'],
    ]);
    expect(exceptions[2]!.detail).toContain('2025-11-17');
  });

  it('rejects an unsorted trading calendar and a window shorter than one day', () => {
    const base = { predictions: [], scrips, pricesByDate };
    expect(() => deriveLabels({ ...base, tradingDays: ['2025-11-17', '2025-11-14'] })).toThrow(LabelInputError);
    expect(() => deriveLabels({ ...base, tradingDays, reactionWindowDays: 0 })).toThrow(/reactionWindowDays 0/);
  });
});
