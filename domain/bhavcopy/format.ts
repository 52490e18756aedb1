/**
 * Writes BhavCopy files the way BSE publishes them, for the synthetic data generator and for tests. The
 * columns the monitor does not model (trades, shares, turnover) get plausible values derived from the row
 * itself, so the same input always yields the same bytes.
 */
import { strToU8, zipSync } from 'fflate';
import type { BhavCopyFile, BhavCopyLayout, PriceRow } from './types.js';
import { CLASSIC_COLUMNS, CLASSIC_ISIN_COLUMNS, MONTHS, UDIFF_COLUMNS, splitIsoDate } from './layouts.js';

export class BhavCopyWriteError extends Error {
  override readonly name = 'BhavCopyWriteError';
}

export interface FormatOptions {
  /** Classic layout only: append ISIN_CODE, TRADING_DATE, FILLER2, FILLER3 as `EQ_ISINCODE_*` files do. */
  readonly withIsinAndDate?: boolean;
}

function dateParts(tradeDate: string): { year: number; month: number; day: number } {
  const parts = splitIsoDate(tradeDate);
  if (parts === null) throw new BhavCopyWriteError(`trade date "${tradeDate}" is not an ISO date like 2025-11-14`);
  return parts;
}

/**
 * Prices are written in rupees with two decimals (whole paise), as BSE does; a row whose prices carry finer
 * fractions comes back from the parser rounded to the paisa.
 */
function price(value: number): string {
  return value.toFixed(2);
}

function quoteIfNeeded(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A small deterministic hash of the scrip code, so volumes vary between scrips without a random source. */
function spread(bseCode: number, salt: number): number {
  let h = (bseCode ^ (salt * 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 0x1_0000_0000;
}

function activity(row: PriceRow): { trades: number; shares: number; turnover: number } {
  const trades = 20 + Math.floor(spread(row.bseCode, 1) * 5000);
  const shares = trades * (5 + Math.floor(spread(row.bseCode, 2) * 200));
  const turnover = Math.round(shares * row.close);
  return { trades, shares, turnover };
}

function classicLines(file: BhavCopyFile, withIsinAndDate: boolean): string[] {
  const header = withIsinAndDate ? [...CLASSIC_COLUMNS, ...CLASSIC_ISIN_COLUMNS] : [...CLASSIC_COLUMNS];
  const { year, month, day } = dateParts(file.tradeDate);
  const tradingDate = `${String(day).padStart(2, '0')}-${MONTHS[month - 1]}-${String(year % 100).padStart(2, '0')}`;
  const lines = [header.join(',')];
  for (const row of file.rows) {
    const { trades, shares, turnover } = activity(row);
    // BSE pads names to 12 characters and groups to 2; the parser trims them again.
    const cells = [
      String(row.bseCode),
      quoteIfNeeded(row.name.padEnd(12, ' ')),
      (row.group ?? '').padEnd(2, ' '),
      'Q',
      price(row.open),
      price(row.high),
      price(row.low),
      price(row.close),
      price(row.last),
      price(row.prevClose),
      String(trades),
      String(shares),
      String(turnover),
      '',
    ];
    if (withIsinAndDate) cells.push(row.isin ?? '', tradingDate, '', '');
    lines.push(cells.join(','));
  }
  return lines;
}

function udiffLines(file: BhavCopyFile): string[] {
  dateParts(file.tradeDate);
  const lines = [UDIFF_COLUMNS.join(',')];
  for (const row of file.rows) {
    const { trades, shares, turnover } = activity(row);
    const byColumn: Partial<Record<(typeof UDIFF_COLUMNS)[number], string>> = {
      TradDt: file.tradeDate,
      BizDt: file.tradeDate,
      Sgmt: 'CM',
      Src: 'BSE',
      FinInstrmTp: 'STK',
      FinInstrmId: String(row.bseCode),
      ISIN: row.isin ?? '',
      TckrSymb: row.name
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 10)
        .toUpperCase(),
      SctySrs: row.group ?? '',
      FinInstrmNm: quoteIfNeeded(row.name),
      OpnPric: price(row.open),
      HghPric: price(row.high),
      LwPric: price(row.low),
      ClsPric: price(row.close),
      LastPric: price(row.last),
      PrvsClsgPric: price(row.prevClose),
      SttlmPric: price(row.close),
      TtlTradgVol: String(shares),
      TtlTrfVal: `${turnover}.00`,
      TtlNbOfTxsExctd: String(trades),
      SsnId: 'F1',
      NewBrdLotQty: '1',
    };
    lines.push(UDIFF_COLUMNS.map((column) => byColumn[column] ?? '').join(','));
  }
  return lines;
}

/** The CSV text of one BhavCopy in its own layout, CRLF line ends as BSE writes them. */
export function formatBhavCopy(file: BhavCopyFile, opts: FormatOptions = {}): string {
  const lines = file.layout === 'classic' ? classicLines(file, opts.withIsinAndDate ?? true) : udiffLines(file);
  return `${lines.join('\r\n')}\r\n`;
}

/** BSE's file name for a day: `EQ141125.CSV` (or `EQ_ISINCODE_141125.CSV`) and the UDiFF `BhavCopy_BSE_CM_...`. */
export function bhavCopyFileName(tradeDate: string, layout: BhavCopyLayout, opts: FormatOptions = {}): string {
  const { year, month, day } = dateParts(tradeDate);
  const dd = String(day).padStart(2, '0');
  const mm = String(month).padStart(2, '0');
  if (layout === 'udiff') return `BhavCopy_BSE_CM_0_0_0_${year}${mm}${dd}_F_0000.CSV`;
  const yy = String(year % 100).padStart(2, '0');
  return opts.withIsinAndDate === true ? `EQ_ISINCODE_${dd}${mm}${yy}.CSV` : `EQ${dd}${mm}${yy}.CSV`;
}

/**
 * A zip holding the one CSV. The entry's time stamp is fixed (1980-01-01, the earliest a zip can record) so
 * the bytes depend only on the content, not on the clock of the machine that wrote them.
 */
export function zipBhavCopy(fileName: string, csvText: string): Uint8Array {
  return zipSync({ [fileName]: [strToU8(csvText), { mtime: new Date(1980, 0, 1, 12) }] });
}
