import { sql } from 'drizzle-orm';
import {
  check,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** Exchange static data per scrip; the price band is what the upper-circuit rule needs. */
export const scrips = pgTable(
  'scrips',
  {
    bseCode: integer('bse_code').primaryKey(),
    name: text('name').notNull(),
    isin: text('isin').notNull(),
    scripGroup: text('scrip_group').notNull(),
    priceBandPct: smallint('price_band_pct').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('scrips_band_check', sql`${t.priceBandPct} in (2, 5, 10, 20)`)],
);

/** One BhavCopy row per scrip and trading day. */
export const dailyPrices = pgTable(
  'daily_prices',
  {
    tradeDate: date('trade_date').notNull(),
    bseCode: integer('bse_code').notNull(),
    open: doublePrecision('open').notNull(),
    high: doublePrecision('high').notNull(),
    low: doublePrecision('low').notNull(),
    close: doublePrecision('close').notNull(),
    last: doublePrecision('last').notNull(),
    prevClose: doublePrecision('prev_close').notNull(),
    sourceFile: text('source_file').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tradeDate, t.bseCode] }),
    index('daily_prices_bse_code_idx').on(t.bseCode, t.tradeDate),
    check('daily_prices_positive', sql`${t.low} > 0 and ${t.high} >= ${t.low} and ${t.prevClose} > 0`),
  ],
);

/** Which BhavCopy file was ingested for which day, so re-collecting a day is recognised. */
export const bhavcopyFiles = pgTable('bhavcopy_files', {
  tradeDate: date('trade_date').primaryKey(),
  fileName: text('file_name').notNull(),
  layout: text('layout', { enum: ['classic', 'udiff'] }).notNull(),
  sha256: text('sha256').notNull(),
  rowCount: integer('row_count').notNull(),
  ingestedAt: timestamp('ingested_at', { withTimezone: true }).notNull().defaultNow(),
});
