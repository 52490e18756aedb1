/**
 * Benjamini-Hochberg adjusted p-values (q-values): q_(i) = min over j >= i of m * p_(j) / j, capped at 1.
 * Controls the false discovery rate at alpha when features are independent or positively dependent, which
 * is the case for drift tests on features that move together.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`benjaminiHochberg: p-value at index ${i} is ${p}, not in [0, 1]`);
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const idx = order[rank - 1]!;
    running = Math.min(running, (m * pValues[idx]!) / rank);
    q[idx] = running;
  }
  return q;
}
