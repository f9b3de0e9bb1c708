import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PayoutReceiptFile } from '@tessera/payouts';
import { UsageError } from '../ui/errors.js';

/**
 * Every receipt file (*.json) in `dir`, by name, parsed (tessera participant receipts --out DIR); errors name the
 * file, and the flag that named `dir` when `flag` is given (tessera payouts statement --receipts).
 */
export async function readReceiptFiles(
  dir: string,
  flag?: string,
): Promise<{ file: string; receipt: PayoutReceiptFile }[]> {
  const { parseReceiptFile } = await import('@tessera/payouts');
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`cannot read ${flag ? `${flag} ${dir}` : `receipts directory ${dir}`}: ${why}`);
  }
  if (names.length === 0)
    throw new UsageError(
      `${flag ? `${flag} ` : ''}${dir} holds no receipt files (*.json): write them with tessera participant receipts ` +
        `--out ${dir}`,
    );
  return names.map((n) => {
    const path = join(dir, n);
    try {
      return { file: n, receipt: parseReceiptFile(readFileSync(path, 'utf8'), path) };
    } catch (e) {
      throw new UsageError(flag ? `${flag}: ${(e as Error).message}` : (e as Error).message);
    }
  });
}

/** The receipts in the --receipts directory `dir`; errors name --receipts and the file. */
export async function readReceiptsDir(dir: string): Promise<PayoutReceiptFile[]> {
  return (await readReceiptFiles(dir, '--receipts')).map((r) => r.receipt);
}
