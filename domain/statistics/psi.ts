/** Population Stability Index between two proportion vectors over the same bins. */

export class PsiInputError extends Error {
  override readonly name = 'PsiInputError';
}

/**
 * The default floor for an empty bin. A zero proportion would make ln(a/e) infinite; flooring at 1e-4 caps
 * one empty bin's contribution at about (0.1 - 1e-4) * ln(0.1 / 1e-4) = 0.69 for a decile bin, large enough
 * to flag a bin the production data abandoned, but finite. A smaller floor (1e-6) makes a single empty bin
 * worth 1.15, which lets one bin that is empty by chance at 50 rows dominate the index; a larger one (1e-2)
 * hides real empty bins. 1e-4 is also the conventional choice, so our values compare with other tools'.
 */
export const DEFAULT_PSI_EPSILON = 1e-4;

export function psi(expected: readonly number[], actual: readonly number[], epsilon = DEFAULT_PSI_EPSILON): number {
  if (expected.length !== actual.length) {
    throw new PsiInputError(`psi: ${expected.length} expected proportions but ${actual.length} actual ones`);
  }
  if (!(epsilon > 0)) throw new PsiInputError(`psi: epsilon must be positive, got ${epsilon}`);
  let total = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (!(e >= 0) || !(a >= 0)) {
      throw new PsiInputError(`psi: proportions must be finite and non-negative; bin ${i} has ${e} and ${a}`);
    }
    const ef = Math.max(e, epsilon);
    const af = Math.max(a, epsilon);
    total += (af - ef) * Math.log(af / ef);
  }
  return total;
}

/** Counts to proportions of their total (all zeros when the total is zero). */
export function proportions(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total === 0 ? 0 : counts[i]! / total;
  return out;
}

/** PSI straight from two count vectors over the same bins. */
export function psiFromCounts(
  expectedCounts: ArrayLike<number>,
  actualCounts: ArrayLike<number>,
  epsilon = DEFAULT_PSI_EPSILON,
): number {
  return psi(proportions(expectedCounts), proportions(actualCounts), epsilon);
}
