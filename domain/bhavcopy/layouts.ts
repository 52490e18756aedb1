/** The column headers of the two BSE equity BhavCopy layouts, shared by the parser and the writer. */

/** The classic `EQddmmyy.CSV` columns, in file order. */
export const CLASSIC_COLUMNS = [
  'SC_CODE',
  'SC_NAME',
  'SC_GROUP',
  'SC_TYPE',
  'OPEN',
  'HIGH',
  'LOW',
  'CLOSE',
  'LAST',
  'PREVCLOSE',
  'NO_TRADES',
  'NO_OF_SHRS',
  'NET_TURNOV',
  'TDCLOINDI',
] as const;

/** The columns that `EQ_ISINCODE_ddmmyy.CSV` appends to the classic ones. */
export const CLASSIC_ISIN_COLUMNS = ['ISIN_CODE', 'TRADING_DATE', 'FILLER2', 'FILLER3'] as const;

/** The UDiFF common bhavcopy columns BSE has published since July 2024, in file order. */
export const UDIFF_COLUMNS = [
  'TradDt',
  'BizDt',
  'Sgmt',
  'Src',
  'FinInstrmTp',
  'FinInstrmId',
  'ISIN',
  'TckrSymb',
  'SctySrs',
  'XpryDt',
  'FininstrmActlXpryDt',
  'StrkPric',
  'OptnTp',
  'FinInstrmNm',
  'OpnPric',
  'HghPric',
  'LwPric',
  'ClsPric',
  'LastPric',
  'PrvsClsgPric',
  'UndrlygPric',
  'SttlmPric',
  'OpnIntrst',
  'ChngInOpnIntrst',
  'TtlTradgVol',
  'TtlTrfVal',
  'TtlNbOfTxsExctd',
  'SsnId',
  'NewBrdLotQty',
  'Rmks',
  'Rsvd1',
  'Rsvd2',
  'Rsvd3',
  'Rsvd4',
] as const;

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** True when y-m-d is a real calendar date (rejects 2025-02-30). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= (lengths[month - 1] ?? 0);
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Splits an ISO date into numbers, or null when it is not a real YYYY-MM-DD date. */
export function splitIsoDate(value: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isCalendarDate(year, month, day) ? { year, month, day } : null;
}
