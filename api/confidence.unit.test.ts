import { describe, expect, it } from 'vitest';
import { confidenceBand, decisionMargin } from './confidence.js';

describe('confidenceBand', () => {
  it('calls a score on the threshold low and certainty on either side high', () => {
    expect(confidenceBand(0.3, 0.3)).toBe('low');
    expect(confidenceBand(1, 0.3)).toBe('high');
    expect(confidenceBand(0, 0.3)).toBe('high');
  });

  it('scales the margin by the room on each side of an asymmetric threshold', () => {
    // Threshold 0.2: 0.6 is halfway to 1 above it, 0.1 is halfway to 0 below it.
    expect(decisionMargin(0.6, 0.2)).toBeCloseTo(0.5, 12);
    expect(decisionMargin(0.1, 0.2)).toBeCloseTo(0.5, 12);
    expect(confidenceBand(0.7, 0.2)).toBe('high');
    expect(confidenceBand(0.4, 0.2)).toBe('medium');
    expect(confidenceBand(0.25, 0.2)).toBe('low');
  });

  it('handles the degenerate thresholds 0 and 1 without dividing by zero', () => {
    expect(decisionMargin(0.5, 0)).toBeCloseTo(0.5, 12);
    expect(decisionMargin(0.5, 1)).toBeCloseTo(0.5, 12);
    expect(decisionMargin(1, 1)).toBe(1);
    expect(Number.isFinite(decisionMargin(0, 0))).toBe(true);
  });
});
