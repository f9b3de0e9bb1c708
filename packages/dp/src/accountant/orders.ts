/** The Rényi order grid used by default, and helpers to validate custom grids. */
import { validateOrders } from './errors.js';

function buildDefaultOrders(): number[] {
  const out = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5];
  for (let a = 5; a <= 63; a++) out.push(a);
  out.push(128, 256, 512);
  return out;
}

/**
 * Default orders: [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5] + 5..63 + [128, 256, 512]
 * (the grid used by TensorFlow Privacy / Opacus tutorials).
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze(buildDefaultOrders());

/** Validate an order grid (non-empty, all finite and > 1) and return a fresh copy. */
export function resolveOrders(orders: readonly number[] = DEFAULT_ORDERS): number[] {
  validateOrders(orders);
  return [...orders];
}
