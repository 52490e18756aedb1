import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEGRADATION_SETTINGS,
  DegradationInputError,
  classifyDegradation,
  severityCode,
  type DegradationSeverity,
} from './degradation.js';

const classify = (baselineF1: number, currentF1: number, predictions = 500) =>
  classifyDegradation({ baselineF1, currentF1, predictions });

describe('classifyDegradation', () => {
  it('grades relative drops, each threshold belonging to the level it starts', () => {
    const cases: [number, number, DegradationSeverity][] = [
      [0.8, 0.82, 'NONE'],
      [0.8, 0.8, 'NONE'],
      [0.8, 0.7777, 'NONE'], // 2.79%
      [0.8, 0.776, 'MINOR'], // exactly 3%
      [0.8, 0.7601, 'MINOR'], // 4.99%
      [0.8, 0.76, 'MODERATE'], // exactly 5%
      [0.8, 0.7201, 'MODERATE'], // 9.99%
      [0.8, 0.72, 'SEVERE'], // exactly 10%, 0.09999999999999998 in floating point
      [0.7, 0.63, 'SEVERE'], // exactly 10% again, different digits
      [0.8, 0.4, 'SEVERE'],
    ];
    for (const [baseline, current, severity] of cases) {
      expect(classify(baseline, current).severity, `${baseline} -> ${current}`).toBe(severity);
    }
  });

  it('reports the relative drop, negative for an improvement', () => {
    expect(classify(0.8, 0.72).relativeDrop).toBeCloseTo(0.1, 12);
    expect(classify(0.8, 0.88).relativeDrop).toBeCloseTo(-0.1, 12);
  });

  it('says INSUFFICIENT_DATA below 100 predictions, however large the drop', () => {
    const r = classify(0.8, 0.2, 99);
    expect(r.severity).toBe('INSUFFICIENT_DATA');
    expect(r.reason).toMatch(/99 labelled predictions.*100 needed/);
    expect(r.notify).toEqual([]);
    expect(classify(0.8, 0.2, 100).severity).toBe('SEVERE');
  });

  it('maps each severity to its action: MINOR logs only, MODERATE Slack, SEVERE email and Slack with rollback', () => {
    expect(classify(0.8, 0.776)).toMatchObject({ notify: [], recommendRollback: false });
    expect(classify(0.8, 0.76)).toMatchObject({ notify: ['slack'], recommendRollback: false });
    expect(classify(0.8, 0.6)).toMatchObject({ notify: ['email', 'slack'], recommendRollback: true });
  });

  it('marks a drop statistically supported only when the whole CI lies below the baseline', () => {
    const base = { baselineF1: 0.7, currentF1: 0.665, predictions: 120 };
    const inside = classifyDegradation({ ...base, currentF1Interval: { low: 0.52, high: 0.8 } });
    expect(inside).toMatchObject({ severity: 'MODERATE', statisticallySupported: false });
    const below = classifyDegradation({ ...base, currentF1: 0.5, currentF1Interval: { low: 0.41, high: 0.69 } });
    expect(below).toMatchObject({ severity: 'SEVERE', statisticallySupported: true });
    expect(classifyDegradation(base).statisticallySupported).toBeNull();
  });

  it('honours custom thresholds', () => {
    const settings = { ...DEFAULT_DEGRADATION_SETTINGS, minorDrop: 0.01, moderateDrop: 0.02, severeDrop: 0.04 };
    expect(classifyDegradation({ baselineF1: 0.8, currentF1: 0.768, predictions: 200, settings }).severity).toBe(
      'SEVERE',
    );
  });

  it('rejects a zero or out-of-range baseline, a bad count and unordered thresholds', () => {
    expect(() => classify(0, 0.5)).toThrow(DegradationInputError);
    expect(() => classify(1.2, 0.5)).toThrow(/baseline F1 1.2/);
    expect(() => classify(0.8, Number.NaN)).toThrow(/current F1 NaN/);
    expect(() => classify(0.8, 0.5, 10.5)).toThrow(/prediction count 10.5/);
    const settings = { ...DEFAULT_DEGRADATION_SETTINGS, moderateDrop: 0.2 };
    expect(() => classifyDegradation({ baselineF1: 0.8, currentF1: 0.7, predictions: 200, settings })).toThrow(
      /ascend/,
    );
  });
});

describe('severityCode', () => {
  it('gives the gauge values NONE 0, MINOR 1, MODERATE 2, SEVERE 3 and INSUFFICIENT_DATA -1', () => {
    const codes = (['NONE', 'MINOR', 'MODERATE', 'SEVERE', 'INSUFFICIENT_DATA'] as const).map(severityCode);
    expect(codes).toEqual([0, 1, 2, 3, -1]);
  });
});
