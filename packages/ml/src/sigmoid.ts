/** 1 / (1 + e^-z) without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z) without overflow for large z or underflow to 0 for very negative z. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Log loss of label y given the logit z: -y log σ(z) - (1-y) log(1-σ(z)). */
export function logLossFromLogit(y: number, z: number): number {
  return y * softplus(-z) + (1 - y) * softplus(z);
}
