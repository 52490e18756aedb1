/**
 * Times our KS test and PSI against scipy.stats.ks_2samp and a numpy-histogram PSI on the same data:
 * 25 features, 1,000,000 baseline and 100,000 production rows each. The data goes to a temporary float64
 * file that bench/ks-psi-scipy.py reads with numpy.fromfile, run by Debian's /usr/bin/python3.
 *   npx tsx bench/ks-psi-vs-scipy.ts [features=25] [baselineRows=1000000] [productionRows=100000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countIntoBins, decileEdgesSorted } from '../domain/statistics/binning.js';
import { ks2samp, ks2sampSorted } from '../domain/statistics/ks.js';
import { psiFromCounts } from '../domain/statistics/psi.js';
import { createRandom } from '../domain/statistics/random.js';
import { exitWithUsageIfAsked } from './lib/usage.js';

exitWithUsageIfAsked(
  "Usage: npx tsx bench/ks-psi-vs-scipy.ts [features=25] [baseline=1000000] [production=100000]\n  Times our KS and PSI against scipy.stats.ks_2samp and numpy's histogram PSI on the same data in the\n  same run (Debian's /usr/bin/python3 with python3-scipy), and prints the ratio and our peak RSS.\nExample:\n  npx tsx bench/ks-psi-vs-scipy.ts 5 200000 20000",
);

const FEATURES = Number(process.argv[2] ?? 25);
const N_BASE = Number(process.argv[3] ?? 1_000_000);
const N_PROD = Number(process.argv[4] ?? 100_000);
const PYTHON = '/usr/bin/python3';

interface ScipyOutput {
  scipy: string;
  numpy: string;
  ksSeconds: number;
  psiSeconds: number;
  results: { statistic: number; pvalue: number; psi: number }[];
}

function main(): void {
  const check = spawnSync(PYTHON, ['-c', 'import scipy'], { encoding: 'utf8' });
  if (check.status !== 0) {
    console.error(
      `${PYTHON} cannot import scipy (${check.stderr.trim() || check.error?.message}); install python3-scipy`,
    );
    process.exit(2);
  }

  // One block per feature: baseline then production; production shifted a little for some features so
  // that p-values span the range instead of all sitting near 1.
  const r = createRandom(20251114);
  const rowLen = N_BASE + N_PROD;
  const data = new Float64Array(FEATURES * rowLen);
  for (let k = 0; k < FEATURES; k++) {
    const shift = (k % 5) * 0.005;
    for (let i = 0; i < N_BASE; i++) data[k * rowLen + i] = r.normal();
    for (let i = 0; i < N_PROD; i++) data[k * rowLen + N_BASE + i] = r.normal(shift, 1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ks-psi-bench-'));
  const file = join(dir, 'data.f64');
  writeFileSync(file, new Uint8Array(data.buffer));

  try {
    const baselines: Float64Array[] = [];
    const productions: Float64Array[] = [];
    for (let k = 0; k < FEATURES; k++) {
      baselines.push(data.subarray(k * rowLen, k * rowLen + N_BASE));
      productions.push(data.subarray(k * rowLen + N_BASE, (k + 1) * rowLen));
    }

    // KS including both sorts, as scipy does it.
    let t0 = performance.now();
    const full = baselines.map((b, k) => ks2samp(b, productions[k]!));
    const ksWithSortMs = performance.now() - t0;

    // As stored: the baseline was sorted once when the baseline was built; only production is sorted daily.
    const sortedBaselines = baselines.map((b) => Float64Array.from(b).sort());
    t0 = performance.now();
    const stored = sortedBaselines.map((b, k) => ks2sampSorted(b, Float64Array.from(productions[k]!).sort()));
    const ksStoredMs = performance.now() - t0;

    // PSI as scipy's side does it: decile edges of the baseline (from the stored sorted copy), both samples
    // counted into them, PSI with epsilon 1e-4.
    t0 = performance.now();
    const psis = sortedBaselines.map((b, k) => {
      const edges = decileEdgesSorted(b);
      return psiFromCounts(
        countIntoBins(b, edges, 'decile').counts,
        countIntoBins(productions[k]!, edges, 'decile').counts,
      );
    });
    const psiMs = performance.now() - t0;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;

    const py = spawnSync(
      PYTHON,
      [join(import.meta.dirname, 'ks-psi-scipy.py'), file, String(FEATURES), String(N_BASE), String(N_PROD)],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (py.status !== 0) throw new Error(`ks-psi-scipy.py failed (${py.status}): ${py.stderr}`);
    const sc = JSON.parse(py.stdout) as ScipyOutput;

    let dStat = 0;
    let dP = 0;
    let dPsi = 0;
    sc.results.forEach((s, k) => {
      dStat = Math.max(dStat, Math.abs(full[k]!.statistic - s.statistic), Math.abs(stored[k]!.statistic - s.statistic));
      if (s.pvalue > 0) dP = Math.max(dP, Math.abs(full[k]!.pvalue - s.pvalue) / s.pvalue);
      dPsi = Math.max(dPsi, Math.abs(psis[k]! - s.psi));
    });
    const ratio = (ours: number, theirs: number): string => (ours / (theirs * 1000)).toFixed(2);
    console.log(
      `${FEATURES} features, ${N_BASE} baseline and ${N_PROD} production rows each; scipy ${sc.scipy}, numpy ${sc.numpy}`,
    );
    console.log(
      `KS incl. sorting both : ours ${ksWithSortMs.toFixed(0)} ms, scipy ${(sc.ksSeconds * 1000).toFixed(0)} ms, ours/scipy ${ratio(ksWithSortMs, sc.ksSeconds)}`,
    );
    console.log(
      `KS on stored sorted baseline: ours ${ksStoredMs.toFixed(0)} ms, ours/scipy ${ratio(ksStoredMs, sc.ksSeconds)}`,
    );
    console.log(
      `PSI (edges + counts)  : ours ${psiMs.toFixed(0)} ms, numpy ${(sc.psiSeconds * 1000).toFixed(0)} ms, ours/numpy ${ratio(psiMs, sc.psiSeconds)}`,
    );
    console.log(
      `agreement: max |statistic diff| ${dStat.toExponential(2)}, max p-value rel diff ${dP.toExponential(2)}, max |PSI diff| ${dPsi.toExponential(2)}`,
    );
    console.log(`p-values ours: ${full.map((f) => f.pvalue.toExponential(2)).join(' ')}`);
    console.log(
      `our peak RSS ${peakRssMb.toFixed(0)} MB (includes the ${(data.byteLength / 1024 / 1024) | 0} MB data array and its sorted copies)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
