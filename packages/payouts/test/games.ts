import { seededRandom, type Random } from '@tessera/crypto';
import { tableGame, type Game } from '../src/index.js';

/** All n! orders of 0..n-1. */
export function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, k) => [...p.slice(0, k), n - 1, ...p.slice(k)]),
  );
}

/** Shapley values by averaging marginals over every permutation: the definition, independent of the subset formula. */
export function bruteForceShapley(game: Game): number[] {
  const n = game.players;
  const values = new Array<number>(n).fill(0);
  const all = permutations(n);
  for (const order of all) {
    let prefix = 0;
    for (const p of order) {
      values[p] += game.utility(prefix | (1 << p)) - game.utility(prefix);
      prefix |= 1 << p;
    }
  }
  return values.map((v) => v / all.length);
}

/** A game from a function of the coalition mask. */
export function fnGame(players: number, u: (mask: number) => number): Game {
  return { players, utility: u };
}

/** A random table game with utilities in [-5, 5). */
export function randomGame(random: Random, players: number): Game {
  return tableGame(
    players,
    Array.from({ length: 2 ** players }, () => random.float() * 10 - 5),
  );
}

const bits = (mask: number, n: number) => Array.from({ length: n }, (_, i) => (mask >> i) & 1);

/**
 * A model-accuracy-like game: accuracy saturates in the (weighted) data the coalition holds, pairs of players interact,
 * and a little deterministic evaluation noise is added, as a validation set would.
 */
export function accuracyGame(seed: string, players: number, scale = 1, base = 0.5): Game {
  const random = seededRandom(seed);
  const weight = Array.from({ length: players }, () => 0.2 + random.float() * 1.5);
  const pair = Array.from({ length: players * players }, () => (random.float() - 0.5) * 0.05);
  const noise = Array.from({ length: 2 ** players }, () => (random.float() - 0.5) * 0.004);
  return fnGame(players, (mask) => {
    const b = bits(mask, players);
    const data = b.reduce((a, x, i) => a + x * weight[i], 0);
    let inter = 0;
    for (let i = 0; i < players; i++)
      for (let j = i + 1; j < players; j++) inter += b[i] * b[j] * pair[i * players + j];
    return base + scale * (0.4 * (1 - Math.exp(-data)) + inter + (mask === 0 ? 0 : noise[mask]));
  });
}

/** L1 distance relative to the L1 norm of `exact`. */
export function relativeL1(estimate: readonly number[], exact: readonly number[]): number {
  const diff = estimate.reduce((a, v, i) => a + Math.abs(v - exact[i]), 0);
  return diff / exact.reduce((a, v) => a + Math.abs(v), 0);
}

/** Largest absolute difference relative to the largest absolute exact value. */
export function relativeLinf(estimate: readonly number[], exact: readonly number[]): number {
  return Math.max(...estimate.map((v, i) => Math.abs(v - exact[i]))) / Math.max(...exact.map(Math.abs));
}
