// The demo's --recommend flags: which of the shared demo flags apply, their defaults for a recommend job.
import type { Command } from 'commander';
import { UsageError } from '../../ui/errors.js';
import type { RecommendDemoOptions } from './run-recommend-demo.js';

export interface RecommendFlags {
  participants: number;
  rounds: number;
  seed: number;
  algorithm?: string;
  factors?: number;
  secure: string;
  dp: string;
  epsilon: number;
  delta: number;
  clip?: number;
  inline?: boolean;
}

/** Flags that mean nothing to a recommend demo: refused by name rather than silently ignored. */
const NOT_FOR_RECOMMEND = [
  'data',
  'label',
  'split',
  'query',
  'report',
  'payoutPool',
  'vertical',
  'model',
  'strategy',
  'drop',
  'unit',
  'console',
  'keep',
];

/** The recommend demo's options from the demo's flags: 10 merchants, ALS with k = 8, epsilon 8 under --dp. */
export function recommendOptionsOf(o: RecommendFlags, cmd: Command): Omit<RecommendDemoOptions, 'status'> {
  for (const name of NOT_FOR_RECOMMEND)
    if (cmd.getOptionValueSource(name) === 'cli') {
      const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new UsageError(`${flag} does not apply to --recommend; leave it out`);
    }
  const given = (name: string) => cmd.getOptionValueSource(name) === 'cli';
  const algorithm = o.algorithm ?? 'als';
  if (algorithm !== 'als' && algorithm !== 'bpr')
    throw new UsageError(`--algorithm must be als or bpr, got "${algorithm}"`);
  const k = o.factors ?? 8;
  if (!Number.isInteger(k) || k < 1 || k > 256) throw new UsageError(`--factors must be an integer 1 to 256, got ${k}`);
  if (o.secure !== 'masked' && o.secure !== 'sealed')
    throw new UsageError(`--secure must be masked or sealed with --recommend (rounds always sum securely)`);
  if (o.dp !== 'none' && o.dp !== 'distributed')
    throw new UsageError(`--dp must be none or distributed with --recommend (customer-level DP), got "${o.dp}"`);
  if (o.dp === 'none') {
    for (const name of ['epsilon', 'delta', 'clip'])
      if (given(name)) throw new UsageError(`--${name} needs --dp distributed`);
  }
  if (given('rounds') && !(Number.isInteger(o.rounds) && o.rounds >= 1))
    throw new UsageError(`--rounds must be a positive integer, got ${o.rounds}`);
  return {
    participants: given('participants') ? o.participants : 10,
    ...(given('rounds') ? { rounds: o.rounds } : {}),
    seed: o.seed,
    algorithm,
    k,
    secure: o.secure,
    dp: o.dp,
    epsilon: given('epsilon') ? o.epsilon : 8,
    delta: given('delta') ? o.delta : 1e-6,
    ...(o.clip !== undefined ? { clip: o.clip } : {}),
    runtime: o.inline ? 'inline' : 'worker',
  };
}
