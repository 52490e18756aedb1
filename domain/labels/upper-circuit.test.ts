import { describe, expect, it } from 'vitest';
import type { PriceRow } from '../bhavcopy/types.js';
import { UpperCircuitInputError, hitUpperCircuit, upperCircuitPaise, upperCircuitPrice } from './upper-circuit.js';

function row(prevClose: number, high: number): PriceRow {
  return {
    bseCode: 1,
    name: 'X',
    isin: null,
    group: 'B',
    open: prevClose,
    high,
    low: prevClose,
    close: high,
    last: high,
    prevClose,
  };
}

describe('upperCircuitPrice, worked by hand', () => {
  // Each case: prevClose * (1 + band) = raw, then the last 5-paise tick at or below raw.
  const cases = [
    { prevClose: 250, band: 2, raw: '255.00', expected: 255 },
    { prevClose: 123.45, band: 2, raw: '125.919', expected: 125.9 },
    { prevClose: 2.5, band: 2, raw: '2.55', expected: 2.55 },
    { prevClose: 52.5, band: 5, raw: '55.125', expected: 55.1 },
    { prevClose: 1000, band: 5, raw: '1050.00', expected: 1050 },
    { prevClose: 101, band: 10, raw: '111.10', expected: 111.1 },
    { prevClose: 47.33, band: 10, raw: '52.063', expected: 52.05 },
    { prevClose: 101, band: 20, raw: '121.20', expected: 121.2 },
    { prevClose: 1.0, band: 20, raw: '1.20', expected: 1.2 },
    { prevClose: 3456.78, band: 20, raw: '4148.136', expected: 4148.1 },
  ];
  for (const c of cases) {
    it(`puts the ${c.band}% band on ${c.prevClose} at ${c.expected} (raw ${c.raw}, rounded down to the tick)`, () => {
      expect(upperCircuitPrice(c.prevClose, c.band)).toBe(c.expected);
    });
  }

  it('lands exactly on a tick edge where naive floating point falls one tick short', () => {
    // Math.floor(101 * 1.2 / 0.05) * 0.05 gives 121.15.
    expect(upperCircuitPaise(101, 20)).toBe(12_120);
    expect(upperCircuitPaise(2.5, 2)).toBe(255);
  });

  it('rounds to a 1-paisa tick when the tick size is 0.01', () => {
    expect(upperCircuitPrice(123.45, 2, 0.01)).toBe(125.91);
  });

  it('keeps the band at least one tick above the previous close when the band is narrower than a tick', () => {
    // 1.00 * 1.02 = 1.02 rounds down to 1.00, the close itself; the band moves to the next tick.
    expect(upperCircuitPrice(1, 2)).toBe(1.05);
  });

  it('rejects a non-positive close, band or tick with a message naming the value', () => {
    expect(() => upperCircuitPrice(0, 5)).toThrow(UpperCircuitInputError);
    expect(() => upperCircuitPrice(-3, 5)).toThrow(/previous close -3/);
    expect(() => upperCircuitPrice(100, 0)).toThrow(/price band 0%/);
    expect(() => upperCircuitPrice(100, 5, 0.001)).toThrow(/tick size 0.001/);
  });
});

describe('hitUpperCircuit', () => {
  it('is true when the HIGH touches the band, even if the close fell back', () => {
    expect(hitUpperCircuit({ ...row(52.5, 55.1), close: 53 }, 5)).toBe(true);
  });

  it('is false one tick below the band', () => {
    expect(hitUpperCircuit(row(52.5, 55.05), 5)).toBe(false);
  });

  it('is true at a band on a tick edge despite floating-point noise in the prices', () => {
    expect(hitUpperCircuit(row(101, 121.2), 20)).toBe(true);
    expect(hitUpperCircuit(row(101, 121.15), 20)).toBe(false);
  });

  it('uses the row band percentage: the same move hits a 5% band but not a 10% one', () => {
    const r = row(200, 210);
    expect(hitUpperCircuit(r, 5)).toBe(true);
    expect(hitUpperCircuit(r, 10)).toBe(false);
  });
});
