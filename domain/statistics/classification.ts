/** Confusion counts and the usual binary-classification scores, plus a tie-aware ROC-AUC. */

export type BinaryLabel = 0 | 1;

export interface ClassificationMetrics {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  readonly predictions: number;
  /** 0 when nothing was predicted positive (the score is undefined there; 0 is the conservative reading). */
  readonly precision: number;
  /** 0 when there is no actual positive. */
  readonly recall: number;
  /** 0 when precision + recall is 0. */
  readonly f1: number;
  /** null when only one class is present or no probabilities were given. */
  readonly rocAuc: number | null;
}

export class ClassificationInputError extends Error {
  override readonly name = 'ClassificationInputError';
}

function checkLengths(what: string, a: number, b: number): void {
  if (a !== b) {
    throw new ClassificationInputError(`${what}: ${a} actual labels but ${b} values to compare with them`);
  }
}

export function classificationMetrics(
  actual: readonly BinaryLabel[],
  predicted: readonly BinaryLabel[],
  probability?: readonly number[],
): ClassificationMetrics {
  checkLengths('classificationMetrics predicted', actual.length, predicted.length);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const p = predicted[i];
    if (a === 1) {
      if (p === 1) tp++;
      else fn++;
    } else if (p === 1) fp++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    tp,
    fp,
    fn,
    tn,
    predictions: actual.length,
    precision,
    recall,
    f1,
    rocAuc: probability === undefined ? null : rocAuc(actual, probability),
  };
}

/**
 * ROC-AUC as the Mann-Whitney U statistic over n1 * n0: the probability that a random positive scores above a
 * random negative, ties counting one half (average ranks), which is what scikit-learn's roc_auc_score gives.
 */
export function rocAuc(actual: readonly BinaryLabel[], probability: readonly number[]): number | null {
  checkLengths('rocAuc probability', actual.length, probability.length);
  const n = actual.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (actual[i] === 1) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;

  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const score = Float64Array.from(probability);
  order.sort((a, b) => score[a]! - score[b]!);

  // Sum of (1-based, tie-averaged) ranks of the positives.
  let rankSumPositives = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && score[order[j]!] === score[order[i]!]) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (actual[order[k]!] === 1) rankSumPositives += averageRank;
    i = j;
  }
  const u = rankSumPositives - (positives * (positives + 1)) / 2;
  return u / (positives * negatives);
}
