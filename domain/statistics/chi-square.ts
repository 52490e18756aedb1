/**
 * Chi-square tests of binned production counts, with the survival function from the regularized upper
 * incomplete gamma function Q(a, x) (series below a + 1, Lentz continued fraction above).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Gamma(z) for z > 0 (Lanczos, g = 7), relative error about 1e-15. */
export function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  const x = z - 1;
  let a = LANCZOS[0]!;
  const t = x + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a). */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x); Q = 1 - P loses nothing here because P is not close to 1 below a + 1.
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.min(1, Math.max(0, 1 - sum * Math.exp(logPrefix)));
  }
  // Continued fraction for Q (modified Lentz), accurate deep into the upper tail.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefix) * h));
}

/** P(X >= x) for X ~ chi-square with df degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  if (!(df > 0)) return Number.NaN;
  return regularizedGammaQ(df / 2, x / 2);
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly df: number;
  readonly pvalue: number;
}

/**
 * Chi-square test of homogeneity on the 2 x k table (baseline counts, production counts). It treats the
 * baseline as the sample it is, not as exact proportions, so a 5,000-row baseline's own noise does not
 * inflate the false-alarm rate; bins empty in both samples are dropped from the degrees of freedom.
 * With fewer than about 5 expected production values per bin (under ~50 rows on decile bins) the
 * chi-square approximation runs slightly anti-conservative; the drift policy's minimum row count guards it.
 */
export function chiSquareHomogeneity(
  baselineCounts: ArrayLike<number>,
  productionCounts: ArrayLike<number>,
): ChiSquareResult {
  if (baselineCounts.length !== productionCounts.length) {
    throw new RangeError(
      `chiSquareHomogeneity: ${baselineCounts.length} baseline bins but ${productionCounts.length} production bins`,
    );
  }
  let nb = 0;
  let np = 0;
  for (let i = 0; i < baselineCounts.length; i++) {
    nb += baselineCounts[i]!;
    np += productionCounts[i]!;
  }
  const total = nb + np;
  if (nb === 0 || np === 0) return { statistic: 0, df: 0, pvalue: 1 };
  let statistic = 0;
  let used = 0;
  for (let i = 0; i < baselineCounts.length; i++) {
    const b = baselineCounts[i]!;
    const p = productionCounts[i]!;
    const col = b + p;
    if (col === 0) continue;
    used++;
    const eb = (col * nb) / total;
    const ep = (col * np) / total;
    statistic += (b - eb) ** 2 / eb + (p - ep) ** 2 / ep;
  }
  const df = used - 1;
  return { statistic, df, pvalue: df > 0 ? chiSquareSf(statistic, df) : 1 };
}
