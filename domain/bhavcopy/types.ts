/** Shapes shared by the BhavCopy parser, the synthetic data writer and the ground-truth stage. */

export type BhavCopyLayout = 'classic' | 'udiff';

/** One scrip's prices for one trading day, whichever layout it came from. */
export interface PriceRow {
  readonly bseCode: number;
  readonly name: string;
  readonly isin: string | null;
  readonly group: string | null;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly last: number;
  readonly prevClose: number;
}

export interface BhavCopyFile {
  /** ISO date, YYYY-MM-DD. */
  readonly tradeDate: string;
  readonly layout: BhavCopyLayout;
  readonly rows: readonly PriceRow[];
}

/** The exchange's static data per scrip that the BhavCopy lacks: the daily price band. */
export interface Scrip {
  readonly bseCode: number;
  readonly name: string;
  readonly isin: string;
  readonly group: string;
  /** Percent above the previous close at which the upper circuit sits: 2, 5, 10 or 20. */
  readonly priceBandPct: 2 | 5 | 10 | 20;
}
