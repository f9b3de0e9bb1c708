import type { Command } from 'commander';

export function registerBench(program: Command): void {
  program.command('bench').description('performance benchmarks (see docs/benchmarks.md)');
}
