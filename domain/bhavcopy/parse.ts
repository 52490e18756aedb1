/**
 * Parses a BSE equity BhavCopy, classic or UDiFF, zipped or not, into price rows. The parse is all or
 * nothing: the ground truth built from it decides which predictions were right, so a file with one bad
 * row is rejected whole with the place of the fault rather than silently losing that scrip.
 */
import { unzipSync } from 'fflate';
import type { BhavCopyFile, BhavCopyLayout, PriceRow } from './types.js';
import {
  CLASSIC_COLUMNS,
  CLASSIC_ISIN_COLUMNS,
  MONTHS,
  UDIFF_COLUMNS,
  isCalendarDate,
  isoDate,
  splitIsoDate,
} from './layouts.js';

export class BhavCopyFormatError extends Error {
  override readonly name = 'BhavCopyFormatError';
  readonly fileName: string;
  /** 1-based line of the CSV text; null for faults of the archive itself (no CSV, several CSVs, corrupt zip). */
  readonly line: number | null;
  /** The header name of the offending column; null when the fault is not in one column (empty file, archive). */
  readonly column: string | null;
  readonly problem: string;

  constructor(fileName: string, line: number | null, column: string | null, problem: string) {
    super(
      `${fileName}: line ${line === null ? '(none)' : line}, column ${column === null ? '(none)' : column}: ${problem}`,
    );
    this.fileName = fileName;
    this.line = line;
    this.column = column;
    this.problem = problem;
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;

function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

/** Returns the single CSV inside an archive; anything else is a fault of the download, not of a row. */
function unzipSingleCsv(bytes: Uint8Array, fileName: string): { entryName: string; bytes: Uint8Array } {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new BhavCopyFormatError(fileName, null, null, `not a readable zip archive (${(err as Error).message})`);
  }
  // Directory entries and other files (a readme, __MACOSX metadata) are ignored; the CSV must be unambiguous.
  const csvNames = Object.keys(entries).filter((name) => !name.endsWith('/') && /\.csv$/i.test(name));
  if (csvNames.length !== 1) {
    const found = csvNames.length === 0 ? 'none' : csvNames.join(', ');
    throw new BhavCopyFormatError(fileName, null, null, `expected exactly one CSV in the archive, found ${found}`);
  }
  const entryName = csvNames[0]!;
  return { entryName, bytes: entries[entryName]! };
}

/**
 * Splits one CSV line. BSE files do not quote fields in practice, but a quoted field (a name with a comma)
 * is honoured so the writer can round-trip any name. Fields are trimmed: classic files pad names and groups.
 */
function splitCsvLine(text: string): string[] {
  const cells: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          current += '"';
          i++;
        } else quoted = false;
      } else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(current.trim());
      current = '';
    } else current += ch;
  }
  cells.push(current.trim());
  return cells;
}

interface Line {
  readonly number: number;
  readonly cells: string[];
}

function readLines(text: string): Line[] {
  const lines: Line[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (let i = 0; i < raw.length; i++) {
    const content = raw[i]!;
    if (content.trim() === '') continue;
    lines.push({ number: i + 1, cells: splitCsvLine(content) });
  }
  return lines;
}

/** Drops trailing empty cells: some classic files end every line, the header included, with a comma. */
function withoutTrailingEmpties(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end--;
  return cells.slice(0, end);
}

function detectLayout(header: Line, fileName: string): { layout: BhavCopyLayout; columns: readonly string[] } {
  const cells = withoutTrailingEmpties(header.cells);
  const first = cells[0] ?? '';
  let expected: readonly string[];
  let layout: BhavCopyLayout;
  if (first === CLASSIC_COLUMNS[0]) {
    layout = 'classic';
    expected = cells.length > CLASSIC_COLUMNS.length ? [...CLASSIC_COLUMNS, ...CLASSIC_ISIN_COLUMNS] : CLASSIC_COLUMNS;
  } else if (first === UDIFF_COLUMNS[0]) {
    layout = 'udiff';
    expected = UDIFF_COLUMNS;
  } else {
    throw new BhavCopyFormatError(
      fileName,
      header.number,
      first === '' ? null : first,
      `unknown header starting "${first}": expected the classic layout (${CLASSIC_COLUMNS[0]},...) or UDiFF (${UDIFF_COLUMNS[0]},...)`,
    );
  }
  for (let i = 0; i < Math.max(expected.length, cells.length); i++) {
    const want = expected[i];
    const got = cells[i];
    if (want !== got) {
      const column = want ?? got ?? null;
      const problem =
        want === undefined
          ? `unexpected extra header column "${got}" in the ${layout} layout`
          : got === undefined
            ? `header ends before column ${want} of the ${layout} layout`
            : `header column ${i + 1} is "${got}", expected "${want}" in the ${layout} layout`;
      throw new BhavCopyFormatError(fileName, header.number, column, problem);
    }
  }
  return { layout, columns: expected };
}

/** Row access by header name, with every fault reported at its line and column. */
class RowReader {
  constructor(
    private readonly fileName: string,
    private readonly columns: readonly string[],
    private readonly line: Line,
  ) {
    const cells = line.cells;
    if (cells.length < columns.length) {
      throw this.fault(
        columns[cells.length] ?? null,
        `row has ${cells.length} columns, the header has ${columns.length} (truncated row)`,
      );
    }
    const extra = withoutTrailingEmpties(cells.slice(columns.length));
    if (extra.length > 0) {
      throw this.fault(null, `row has ${cells.length} columns, the header has ${columns.length}`);
    }
  }

  get lineNumber(): number {
    return this.line.number;
  }

  fault(column: string | null, problem: string): BhavCopyFormatError {
    return new BhavCopyFormatError(this.fileName, this.line.number, column, problem);
  }

  text(column: string): string {
    const index = this.columns.indexOf(column);
    return this.line.cells[index] ?? '';
  }

  price(column: string): number {
    const value = this.text(column);
    if (value.startsWith('-') && /^-\d+(\.\d+)?$/.test(value)) throw this.fault(column, `negative price "${value}"`);
    if (!/^\+?\d+(\.\d+)?$/.test(value)) throw this.fault(column, `price "${value}" is not a number`);
    return Number(value);
  }

  scripCode(column: string): number {
    const value = this.text(column);
    if (!/^\d+$/.test(value) || Number(value) === 0 || !Number.isSafeInteger(Number(value))) {
      throw this.fault(column, `scrip code "${value}" is not a positive integer`);
    }
    return Number(value);
  }
}

function parseClassicTradingDate(value: string): string | null {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})$/.exec(value);
  if (m === null) return null;
  const day = Number(m[1]);
  const monthIndex = MONTHS.findIndex((name) => name.toLowerCase() === m[2]!.toLowerCase());
  // Two-digit years are 20yy: BSE has published these files only since the 1990s' end, and 19yy is long gone.
  const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  if (monthIndex < 0 || !isCalendarDate(year, monthIndex + 1, day)) return null;
  return isoDate(year, monthIndex + 1, day);
}

/** `EQ141125.CSV` or `EQ_ISINCODE_141125.CSV` (also inside a zip name such as `EQ141125_CSV.ZIP`). */
export function tradeDateFromClassicFileName(fileName: string): string | null {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const m = /^EQ(?:_ISINCODE_)?(\d{2})(\d{2})(\d{2})(?:[._]|$)/i.exec(base);
  if (m === null) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  const year = 2000 + Number(m[3]);
  return isCalendarDate(year, month, day) ? isoDate(year, month, day) : null;
}

function checkRange(reader: RowReader, row: PriceRow, highColumn: string, lowColumn: string): void {
  if (row.high < row.low) {
    throw reader.fault(highColumn, `HIGH ${row.high} is below LOW ${row.low} (${lowColumn})`);
  }
}

/** Keeps the first line of each scrip so a duplicate names both places. */
function checkUnique(seen: Map<number, number>, reader: RowReader, bseCode: number, column: string): void {
  const firstLine = seen.get(bseCode);
  if (firstLine !== undefined) {
    throw reader.fault(column, `duplicate scrip ${bseCode} (first seen on line ${firstLine})`);
  }
  seen.set(bseCode, reader.lineNumber);
}

function parseClassic(lines: Line[], columns: readonly string[], fileName: string, nameForDate: string): BhavCopyFile {
  const hasDateColumn = columns.includes('TRADING_DATE');
  let tradeDate: string | null = null;
  if (!hasDateColumn) {
    tradeDate = tradeDateFromClassicFileName(nameForDate) ?? tradeDateFromClassicFileName(fileName);
    if (tradeDate === null) {
      throw new BhavCopyFormatError(
        fileName,
        lines[0]!.number,
        'TRADING_DATE',
        'no TRADING_DATE column and the file name does not match EQddmmyy.CSV or EQ_ISINCODE_ddmmyy.CSV',
      );
    }
  }
  const rows: PriceRow[] = [];
  const seen = new Map<number, number>();
  for (const line of lines.slice(1)) {
    const reader = new RowReader(fileName, columns, line);
    const bseCode = reader.scripCode('SC_CODE');
    if (hasDateColumn) {
      const raw = reader.text('TRADING_DATE');
      const date = parseClassicTradingDate(raw);
      if (date === null) throw reader.fault('TRADING_DATE', `"${raw}" is not a date like 14-Nov-25`);
      if (tradeDate !== null && date !== tradeDate) {
        throw reader.fault('TRADING_DATE', `trade date ${date} differs from ${tradeDate} on earlier rows`);
      }
      tradeDate = date;
    }
    const isin = hasDateColumn ? reader.text('ISIN_CODE') : '';
    const group = reader.text('SC_GROUP');
    const row: PriceRow = {
      bseCode,
      name: reader.text('SC_NAME'),
      isin: isin === '' ? null : isin,
      group: group === '' ? null : group,
      open: reader.price('OPEN'),
      high: reader.price('HIGH'),
      low: reader.price('LOW'),
      close: reader.price('CLOSE'),
      last: reader.price('LAST'),
      prevClose: reader.price('PREVCLOSE'),
    };
    checkRange(reader, row, 'HIGH', 'LOW');
    checkUnique(seen, reader, bseCode, 'SC_CODE');
    rows.push(row);
  }
  return { tradeDate: tradeDate!, layout: 'classic', rows };
}

function parseUdiff(lines: Line[], columns: readonly string[], fileName: string): BhavCopyFile {
  let tradeDate: string | null = null;
  const rows: PriceRow[] = [];
  const seen = new Map<number, number>();
  for (const line of lines.slice(1)) {
    const reader = new RowReader(fileName, columns, line);
    // Every row's date is checked, the skipped instruments' too: a mixed file is a bad file, whatever the row.
    const raw = reader.text('TradDt');
    if (splitIsoDate(raw) === null) throw reader.fault('TradDt', `"${raw}" is not an ISO date like 2025-11-14`);
    if (tradeDate !== null && raw !== tradeDate) {
      throw reader.fault('TradDt', `trade date ${raw} differs from ${tradeDate} on earlier rows`);
    }
    tradeDate = raw;
    if (reader.text('FinInstrmTp') !== 'STK') continue;

    const bseCode = reader.scripCode('FinInstrmId');
    const isin = reader.text('ISIN');
    const series = reader.text('SctySrs');
    const row: PriceRow = {
      bseCode,
      name: reader.text('FinInstrmNm'),
      isin: isin === '' ? null : isin,
      group: series === '' ? null : series,
      open: reader.price('OpnPric'),
      high: reader.price('HghPric'),
      low: reader.price('LwPric'),
      close: reader.price('ClsPric'),
      last: reader.price('LastPric'),
      prevClose: reader.price('PrvsClsgPric'),
    };
    checkRange(reader, row, 'HghPric', 'LwPric');
    checkUnique(seen, reader, bseCode, 'FinInstrmId');
    rows.push(row);
  }
  return { tradeDate: tradeDate!, layout: 'udiff', rows };
}

/**
 * Parses one BhavCopy. The layout is told by the header row, never by the file name, because BSE has renamed
 * files more often than it has changed columns. Throws BhavCopyFormatError naming the file, line and column of
 * the first fault; returns nothing partial.
 */
export function parseBhavCopy(bytes: Uint8Array, fileName: string): BhavCopyFile {
  let csvBytes = bytes;
  let nameForDate = fileName;
  if (isZip(bytes)) {
    const entry = unzipSingleCsv(bytes, fileName);
    csvBytes = entry.bytes;
    nameForDate = entry.entryName;
  }
  const lines = readLines(new TextDecoder('utf-8').decode(csvBytes));
  const header = lines[0];
  if (header === undefined) throw new BhavCopyFormatError(fileName, 1, null, 'the file is empty');
  const { layout, columns } = detectLayout(header, fileName);
  if (lines.length === 1) {
    // A trading day always has thousands of traded scrips; a header alone is a failed or cut-off download.
    throw new BhavCopyFormatError(fileName, header.number + 1, columns[0] ?? null, 'the file has a header but no rows');
  }
  return layout === 'classic'
    ? parseClassic(lines, columns, fileName, nameForDate)
    : parseUdiff(lines, columns, fileName);
}
