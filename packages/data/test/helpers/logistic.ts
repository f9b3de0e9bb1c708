import type { EncodedData } from '../../src/index.js';

/** A small standardised logistic regression (full-batch gradient descent), for checking data sets in tests. */
export interface LinearModel {
  score(data: EncodedData): Float64Array;
}

export function fitLogistic(data: EncodedData, epochs = 300, learningRate = 0.5, l2 = 1e-3): LinearModel {
  const { n, d, x, y } = data;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[j] += (x[i * d + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]) || 1;

  const w = new Float64Array(d);
  let b = 0;
  const z = new Float64Array(d);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const grad = new Float64Array(d);
    let gradB = 0;
    for (let i = 0; i < n; i++) {
      let s = b;
      for (let j = 0; j < d; j++) {
        z[j] = (x[i * d + j] - mean[j]) / scale[j];
        s += w[j] * z[j];
      }
      const err = 1 / (1 + Math.exp(-s)) - y[i];
      gradB += err / n;
      for (let j = 0; j < d; j++) grad[j] += (err * z[j]) / n;
    }
    for (let j = 0; j < d; j++) w[j] -= learningRate * (grad[j] + l2 * w[j]);
    b -= learningRate * gradB;
  }
  return {
    score(data) {
      const out = new Float64Array(data.n);
      for (let i = 0; i < data.n; i++) {
        let s = b;
        for (let j = 0; j < d; j++) s += (w[j] * (data.x[i * d + j] - mean[j])) / scale[j];
        out[i] = s;
      }
      return out;
    },
  };
}

/** Area under the ROC curve (ties count half). */
export function auc(scores: Float64Array, labels: Float64Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        rankSum += averageRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
