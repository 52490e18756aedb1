import { describe, expect, it } from 'vitest';
import { bhavCopyFileName, formatBhavCopy, zipBhavCopy } from './format.js';
import { CLASSIC_COLUMNS, CLASSIC_ISIN_COLUMNS, UDIFF_COLUMNS } from './layouts.js';
import { parseBhavCopy } from './parse.js';
import type { BhavCopyFile, PriceRow } from './types.js';

const rows: PriceRow[] = [
  {
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
  },
  {
    bseCode: 531234,
    name: 'SMALL, "QUOTED" CO',
    isin: null,
    group: null,
    open: 52,
    high: 55.1,
    low: 51.5,
    close: 55.1,
    last: 55.1,
    prevClose: 52.5,
  },
];

const encode = (text: string) => new TextEncoder().encode(text);

describe('formatBhavCopy', () => {
  it('writes exactly the classic header, with the ISIN columns by default', () => {
    const text = formatBhavCopy({ tradeDate: '2025-11-14', layout: 'classic', rows });
    expect(text.split('\r\n')[0]).toBe([...CLASSIC_COLUMNS, ...CLASSIC_ISIN_COLUMNS].join(','));
    expect(text).toContain(',14-Nov-25,,');
    const plain = formatBhavCopy({ tradeDate: '2025-11-14', layout: 'classic', rows }, { withIsinAndDate: false });
    expect(plain.split('\r\n')[0]).toBe(CLASSIC_COLUMNS.join(','));
  });

  it('writes exactly the UDiFF header', () => {
    const text = formatBhavCopy({ tradeDate: '2025-11-14', layout: 'udiff', rows });
    expect(text.split('\r\n')[0]).toBe(UDIFF_COLUMNS.join(','));
  });

  it('writes integer trades, shares and turnover for the columns the monitor does not model', () => {
    const text = formatBhavCopy({ tradeDate: '2025-11-14', layout: 'classic', rows }, { withIsinAndDate: false });
    const cells = text.split('\r\n')[1]!.split(',');
    for (const index of [10, 11, 12]) expect(cells[index]).toMatch(/^[1-9]\d*$/);
    expect(Number(cells[12])).toBe(Math.round(Number(cells[11]) * 5188.4));
  });

  const layouts = [
    { layout: 'classic', withIsinAndDate: true },
    { layout: 'classic', withIsinAndDate: false },
    { layout: 'udiff', withIsinAndDate: false },
  ] as const;
  for (const { layout, withIsinAndDate } of layouts) {
    it(`round-trips through parseBhavCopy (${layout}${withIsinAndDate ? ' with ISIN and date' : ''})`, () => {
      const file: BhavCopyFile = { tradeDate: '2025-11-14', layout, rows };
      const name = bhavCopyFileName(file.tradeDate, layout, { withIsinAndDate });
      const parsed = parseBhavCopy(encode(formatBhavCopy(file, { withIsinAndDate })), name);
      const expected = withIsinAndDate || layout === 'udiff' ? rows : rows.map((r) => ({ ...r, isin: null }));
      expect(parsed).toEqual({ ...file, rows: expected });
    });
  }

  it('round-trips through a zip', () => {
    const file: BhavCopyFile = { tradeDate: '2024-07-08', layout: 'udiff', rows };
    const name = bhavCopyFileName(file.tradeDate, 'udiff');
    const zipped = zipBhavCopy(name, formatBhavCopy(file));
    expect(parseBhavCopy(zipped, `${name}.zip`)).toEqual(file);
  });

  it('zips the same content to the same bytes', () => {
    expect(zipBhavCopy('EQ141125.CSV', 'a,b\r\n')).toEqual(zipBhavCopy('EQ141125.CSV', 'a,b\r\n'));
  });
});

describe('bhavCopyFileName', () => {
  it('names files the way BSE does', () => {
    expect(bhavCopyFileName('2025-11-14', 'classic')).toBe('EQ141125.CSV');
    expect(bhavCopyFileName('2025-11-14', 'classic', { withIsinAndDate: true })).toBe('EQ_ISINCODE_141125.CSV');
    expect(bhavCopyFileName('2025-11-14', 'udiff')).toBe('BhavCopy_BSE_CM_0_0_0_20251114_F_0000.CSV');
  });

  it('rejects a date that is not ISO', () => {
    expect(() => bhavCopyFileName('14-11-2025', 'classic')).toThrow(/not an ISO date/);
  });
});
