import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BhavCopyFormatError, parseBhavCopy, tradeDateFromClassicFileName } from './parse.js';

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
}

function parseFixture(name: string) {
  return parseBhavCopy(fixture(name), name.split('/').pop()!);
}

function formatErrorOf(fn: () => unknown): BhavCopyFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BhavCopyFormatError) return err;
    throw err;
  }
  throw new Error('expected a BhavCopyFormatError, nothing was thrown');
}

const encode = (text: string) => new TextEncoder().encode(text);

describe('parseBhavCopy on well-formed files', () => {
  it('reads the classic layout with ISIN and TRADING_DATE, trimming the padded names and groups', () => {
    const file = parseFixture('EQ_ISINCODE_141125.CSV');
    expect(file.layout).toBe('classic');
    expect(file.tradeDate).toBe('2025-11-14');
    expect(file.rows).toHaveLength(4);
    expect(file.rows[0]).toEqual({
      bseCode: 500002,
      name: 'ABB LTD.',
      isin: 'INE117A01022',
      group: 'A',
      open: 5125,
      high: 5210.5,
      low: 5101.05,
      close: 5188.4,
      last: 5190,
      prevClose: 5120.35,
    });
    expect(file.rows[3]!.group).toBe('XT');
  });

  it('takes the trade date from an EQddmmyy.CSV name when the classic file has no TRADING_DATE column', () => {
    const file = parseFixture('EQ171125.CSV');
    expect(file.tradeDate).toBe('2025-11-17');
    expect(file.rows.map((r) => r.bseCode)).toEqual([500002, 500325, 531234]);
    expect(file.rows.every((r) => r.isin === null)).toBe(true);
  });

  it('reads the UDiFF layout and keeps only equity (STK) rows', () => {
    const file = parseFixture('BhavCopy_BSE_CM_0_0_0_20251118_F_0000.CSV');
    expect(file.layout).toBe('udiff');
    expect(file.tradeDate).toBe('2025-11-18');
    expect(file.rows.map((r) => r.bseCode)).toEqual([500002, 500325, 531234]);
    expect(file.rows[2]).toEqual({
      bseCode: 531234,
      name: 'Smallco Industries Ltd',
      isin: 'INE999Z01011',
      group: 'X',
      open: 57.85,
      high: 60.7,
      low: 57,
      close: 60.7,
      last: 60.7,
      prevClose: 57.85,
    });
  });

  it('unzips a zipped BhavCopy and parses the single CSV inside it', () => {
    const zipped = parseFixture('EQ_ISINCODE_141125_CSV.ZIP');
    expect(zipped).toEqual(parseFixture('EQ_ISINCODE_141125.CSV'));
  });

  it('detects the layout by header, whatever the file is called', () => {
    const file = parseBhavCopy(fixture('BhavCopy_BSE_CM_0_0_0_20251118_F_0000.CSV'), 'download.csv');
    expect(file.layout).toBe('udiff');
  });

  it('accepts LF line ends, a byte-order mark, blank lines and 4-digit years in TRADING_DATE', () => {
    const text =
      '\uFEFFSC_CODE,SC_NAME,SC_GROUP,SC_TYPE,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,NO_TRADES,NO_OF_SHRS,NET_TURNOV,' +
      'TDCLOINDI,ISIN_CODE,TRADING_DATE,FILLER2,FILLER3\n\n' +
      ' 500002 , ABB , A , Q , 1 , 2 , 1 , 2 , 2 , 1 ,1,1,1,, INE117A01022 , 14-nov-2025 ,,\n\n';
    const file = parseBhavCopy(encode(text), 'x.csv');
    expect(file.tradeDate).toBe('2025-11-14');
    expect(file.rows[0]!.bseCode).toBe(500002);
    expect(file.rows[0]!.name).toBe('ABB');
  });

  it('reads the date from EQ_ISINCODE_ddmmyy and zip names, and rejects impossible dates', () => {
    expect(tradeDateFromClassicFileName('EQ_ISINCODE_141125.CSV')).toBe('2025-11-14');
    expect(tradeDateFromClassicFileName('data/EQ010224_CSV.ZIP')).toBe('2024-02-01');
    expect(tradeDateFromClassicFileName('eq141125.csv')).toBe('2025-11-14');
    expect(tradeDateFromClassicFileName('EQ310225.CSV')).toBeNull();
    expect(tradeDateFromClassicFileName('BHAV.CSV')).toBeNull();
  });
});

describe('parseBhavCopy on malformed files names the file, line and column', () => {
  const cases: { file: string; line: number | null; column: string | null; problem: RegExp }[] = [
    {
      file: 'malformed/EQ171125_bad_header.CSV',
      line: 1,
      column: 'SC_GROUP',
      problem: /"SC_GRP", expected "SC_GROUP"/,
    },
    { file: 'malformed/EQ171125_unknown_header.CSV', line: 1, column: 'SYMBOL', problem: /unknown header/ },
    { file: 'malformed/EQ171125_non_numeric.CSV', line: 3, column: 'CLOSE', problem: /"15x2.35" is not a number/ },
    { file: 'malformed/EQ171125_negative.CSV', line: 2, column: 'LOW', problem: /negative price "-5150.00"/ },
    { file: 'malformed/EQ171125_duplicate.CSV', line: 4, column: 'SC_CODE', problem: /duplicate scrip 500002.*line 2/ },
    { file: 'malformed/EQ171125_truncated.CSV', line: 4, column: 'LOW', problem: /6 columns.*truncated/ },
    { file: 'malformed/EQ171125_high_below_low.CSV', line: 3, column: 'HIGH', problem: /HIGH 1511 is below LOW 1530/ },
    { file: 'malformed/EQ171125_empty.CSV', line: 1, column: null, problem: /empty/ },
    { file: 'malformed/BHAV_NODATE.CSV', line: 1, column: 'TRADING_DATE', problem: /no TRADING_DATE column/ },
    {
      file: 'malformed/BhavCopy_BSE_CM_0_0_0_20251118_F_0000_mixed_dates.CSV',
      line: 4,
      column: 'TradDt',
      problem: /2025-11-17 differs from 2025-11-18/,
    },
    { file: 'malformed/EQ171125_two_csvs.ZIP', line: null, column: null, problem: /exactly one CSV.*found EQ171125/ },
  ];
  for (const c of cases) {
    it(`rejects ${c.file.split('/').pop()} at line ${c.line ?? '-'}, column ${c.column ?? '-'}`, () => {
      const name = c.file.split('/').pop()!;
      const err = formatErrorOf(() => parseBhavCopy(fixture(c.file), name));
      expect(err.fileName).toBe(name);
      expect(err.line).toBe(c.line);
      expect(err.column).toBe(c.column);
      expect(err.problem).toMatch(c.problem);
      expect(err.message).toContain(name);
      expect(err.message).toContain(`line ${c.line ?? '(none)'}`);
      expect(err.message).toContain(`column ${c.column ?? '(none)'}`);
    });
  }

  it('rejects a header-only file as a failed download', () => {
    const text =
      'SC_CODE,SC_NAME,SC_GROUP,SC_TYPE,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,NO_TRADES,NO_OF_SHRS,NET_TURNOV,TDCLOINDI\r\n';
    const err = formatErrorOf(() => parseBhavCopy(encode(text), 'EQ171125.CSV'));
    expect(err.line).toBe(2);
    expect(err.problem).toMatch(/no rows/);
  });

  it('rejects a row with extra non-empty cells beyond the header', () => {
    const header =
      'SC_CODE,SC_NAME,SC_GROUP,SC_TYPE,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,NO_TRADES,NO_OF_SHRS,NET_TURNOV,TDCLOINDI';
    const text = `${header}\n500002,ABB,A,Q,1,2,1,2,2,1,1,1,1,,surprise\n`;
    const err = formatErrorOf(() => parseBhavCopy(encode(text), 'EQ171125.CSV'));
    expect(err.line).toBe(2);
    expect(err.problem).toMatch(/15 columns, the header has 14/);
  });

  it('rejects a corrupt zip as an archive fault without a line', () => {
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
    const err = formatErrorOf(() => parseBhavCopy(bytes, 'EQ171125_CSV.ZIP'));
    expect(err.line).toBeNull();
    expect(err.problem).toMatch(/not a readable zip|exactly one CSV/);
  });
});
