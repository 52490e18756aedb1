import { describe, expect, it } from 'vitest';
import { HeldBatch } from './held-batch.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('held batches', () => {
  it('hands on held items together after the hold, batches of one hold in the same timer callback', async () => {
    const released: string[] = [];
    const a = new HeldBatch<string>({
      holdMs: 15,
      bytesOf: (s) => s.length,
      release: (xs) => released.push(`a:${xs.join('')}`),
    });
    const b = new HeldBatch<string>({
      holdMs: 15,
      bytesOf: (s) => s.length,
      release: (xs) => released.push(`b:${xs.join('')}`),
    });
    a.add('1');
    b.add('x');
    a.add('2');
    expect(released).toEqual([]);
    await wait(40);
    expect(released).toEqual(['a:12', 'b:x']);
    await wait(30);
    expect(released).toHaveLength(2);
  });

  it('releases at once past the byte limit or when asked, and never hands on an empty batch', async () => {
    const released: string[][] = [];
    const batch = new HeldBatch<string>({
      holdMs: 15,
      maxBytes: 4,
      bytesOf: (s) => s.length,
      release: (xs) => released.push(xs),
    });
    batch.add('ab');
    batch.add('cd');
    expect(released).toEqual([['ab', 'cd']]);
    batch.add('e');
    batch.release();
    batch.release();
    expect(released).toEqual([['ab', 'cd'], ['e']]);
    await wait(40);
    expect(released).toHaveLength(2);
  });
});
