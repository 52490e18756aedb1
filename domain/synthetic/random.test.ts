import { describe, expect, it } from 'vitest';
import { BSE_HOLIDAYS, earningsSeasonIntensity, tradingDaysFrom } from './calendar.js';
import { createRandom, deriveSeed } from './random.js';
import { isinCheckDigit } from './scrips.js';

describe('createRandom', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const draw = (seed: number): number[] => {
      const r = createRandom(seed);
      return Array.from({ length: 50 }, () => r.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws uniforms in [0, 1) and standard normals with mean 0 and SD 1', () => {
    const r = createRandom(1);
    const u = Array.from({ length: 20000 }, () => r.next());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = Array.from({ length: 20000 }, () => r.normal());
    const m = z.reduce((s, x) => s + x, 0) / z.length;
    const v = z.reduce((s, x) => s + (x - m) ** 2, 0) / z.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(v) - 1)).toBeLessThan(0.03);
  });

  it('gives independent-looking streams per label from one seed', () => {
    expect(deriveSeed(42, 'prices')).toBe(deriveSeed(42, 'prices'));
    expect(deriveSeed(42, 'prices')).not.toBe(deriveSeed(42, 'scrips'));
    expect(deriveSeed(42, 'prices')).not.toBe(deriveSeed(43, 'prices'));
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => createRandom(NaN)).toThrow(/finite number/);
  });
});

describe('BSE calendar', () => {
  it('skips weekends and the 2024 trading holidays', () => {
    const days = tradingDaysFrom('2024-04-29', 5);
    expect(days).toEqual(['2024-04-29', '2024-04-30', '2024-05-02', '2024-05-03', '2024-05-06']);
    expect(BSE_HOLIDAYS.has('2024-08-15')).toBe(true);
  });

  it('peaks earnings announcements just before the filing deadlines and quiets down after', () => {
    expect(earningsSeasonIntensity('2024-08-09')).toBeGreaterThan(0.9);
    expect(earningsSeasonIntensity('2024-05-24')).toBeGreaterThan(0.9);
    expect(earningsSeasonIntensity('2024-09-10')).toBeLessThan(0.01);
    expect(earningsSeasonIntensity('2024-08-25')).toBeLessThan(0.05);
  });
});

describe('isinCheckDigit', () => {
  it('matches the check digits of real Indian ISINs', () => {
    expect(isinCheckDigit('INE002A0101')).toBe(8);
    expect(isinCheckDigit('INE009A0102')).toBe(1);
    expect(isinCheckDigit('INE467B0102')).toBe(9);
  });
});
