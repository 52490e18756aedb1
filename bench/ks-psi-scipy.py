"""scipy/numpy side of bench/ks-psi-vs-scipy.ts, and the generator of the scipy reference fixtures.

Usage:
  /usr/bin/python3 bench/ks-psi-scipy.py DATA_FILE FEATURES BASELINE_ROWS PRODUCTION_ROWS
      DATA_FILE holds float64 values, per feature the baseline rows then the production rows.
      Prints one JSON object: timings and per-feature results.
  /usr/bin/python3 bench/ks-psi-scipy.py --fixtures
      Rewrites domain/statistics/fixtures/kstwo-sf.scipy.json and chi2-sf.scipy.json.
"""
import json
import os
import sys
import time

try:
    import numpy as np
    import scipy
    from scipy import stats
except ImportError as exc:  # the Debian python3-scipy package is expected
    print(f"ks-psi-scipy.py: cannot import scipy/numpy ({exc}); install python3-scipy", file=sys.stderr)
    sys.exit(2)

DECILES = np.arange(1, 10) / 10.0


def psi(expected_counts, actual_counts, eps=1e-4):
    e = np.maximum(expected_counts / expected_counts.sum(), eps)
    a = np.maximum(actual_counts / actual_counts.sum(), eps)
    return float(np.sum((a - e) * np.log(a / e)))


def bench(path, features, n_base, n_prod):
    data = np.fromfile(path, dtype=np.float64).reshape(features, n_base + n_prod)
    results = []
    ks_seconds = 0.0
    psi_seconds = 0.0
    for k in range(features):
        base = data[k, :n_base]
        prod = data[k, n_base:]
        t0 = time.perf_counter()
        r = stats.ks_2samp(base, prod)
        t1 = time.perf_counter()
        edges = np.concatenate(([-np.inf], np.unique(np.quantile(base, DECILES)), [np.inf]))
        bc, _ = np.histogram(base, bins=edges)
        pc, _ = np.histogram(prod, bins=edges)
        p = psi(bc.astype(float), pc.astype(float))
        t2 = time.perf_counter()
        ks_seconds += t1 - t0
        psi_seconds += t2 - t1
        results.append({"statistic": float(r.statistic), "pvalue": float(r.pvalue), "psi": p})
    print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "ksSeconds": ks_seconds,
                      "psiSeconds": psi_seconds, "results": results}))


def fixtures():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "domain", "statistics", "fixtures")
    rng = np.random.default_rng(7)
    cases = []
    for n in [2, 5, 10, 37, 100, 140, 141, 300, 1000, 5000, 20000, 99999, 150000]:
        for x in np.concatenate([rng.uniform(0, 1, 6), rng.uniform(0, 3 / np.sqrt(n), 14)]):
            cases.append({"n": int(n), "x": float(x), "sf": float(stats.kstwo.sf(x, n))})
    gen = f"scipy {scipy.__version__} kstwo.sf, numpy default_rng(7); regenerate with bench/ks-psi-scipy.py --fixtures"
    with open(os.path.join(here, "kstwo-sf.scipy.json"), "w") as f:
        json.dump({"generator": gen, "cases": cases}, f)
    rng = np.random.default_rng(11)
    cases = []
    for df in [1, 2, 3, 5, 9, 10, 19, 50, 200]:
        for x in list(rng.uniform(0, 3 * df, 6)) + [df + 0.5, 10 * df + 40]:
            cases.append({"x": float(x), "df": df, "sf": float(stats.chi2.sf(x, df))})
    gen = f"scipy {scipy.__version__} chi2.sf, numpy default_rng(11); regenerate with bench/ks-psi-scipy.py --fixtures"
    with open(os.path.join(here, "chi2-sf.scipy.json"), "w") as f:
        json.dump({"generator": gen, "cases": cases}, f)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--fixtures":
        fixtures()
    elif len(sys.argv) == 5:
        bench(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
