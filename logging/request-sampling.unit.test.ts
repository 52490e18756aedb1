import { describe, expect, it } from 'vitest';
import { RequestLineSampler } from './request-sampling.js';

function keptOf(sampler: RequestLineSampler, n: number): number[] {
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (sampler.decide(200, 3) !== 'skip') kept.push(i);
  return kept;
}

describe('RequestLineSampler', () => {
  it('writes every line at rate 1, and never marks them as sampled', () => {
    const sampler = new RequestLineSampler(1, 150);
    expect(Array.from({ length: 5 }, () => sampler.decide(200, 1))).toEqual(Array(5).fill('always'));
  });

  it('writes exactly one success in a hundred at 1%, the first one included', () => {
    const sampler = new RequestLineSampler(0.01, 150);
    expect(keptOf(sampler, 1000)).toEqual(Array.from({ length: 10 }, (_, i) => i * 100));
  });

  it('spreads a rate that does not divide evenly: 30% keeps 300 of 1000, one every 3 or 4', () => {
    const kept = keptOf(new RequestLineSampler(0.3, 150), 1000);
    expect(kept).toHaveLength(300);
    expect(kept.slice(0, 5)).toEqual([0, 4, 7, 10, 14]);
  });

  it('always writes errors (4xx and 5xx) and slow requests, without spending the sample', () => {
    const sampler = new RequestLineSampler(0, 150);
    expect(sampler.decide(404, 1)).toBe('always');
    expect(sampler.decide(503, 1)).toBe('always');
    expect(sampler.decide(200, 150)).toBe('always');
    expect(sampler.decide(200, 149.9)).toBe('skip');
    expect(keptOf(sampler, 500)).toEqual([]);
  });

  it('refuses a rate outside 0..1 and a negative threshold, naming the value', () => {
    expect(() => new RequestLineSampler(1.5, 150)).toThrow('sample rate must be from 0 to 1, got 1.5');
    expect(() => new RequestLineSampler(Number.NaN, 150)).toThrow('got NaN');
    expect(() => new RequestLineSampler(0.5, -1)).toThrow('slow request threshold must be 0 ms or more, got -1');
  });
});
