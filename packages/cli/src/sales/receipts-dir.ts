import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PayoutReceiptFile } from '@tessera/payouts';
import { UsageError } from '../ui/errors.js';

/** Every receipt file (*.json) in `dir`, parsed (tessera participant receipts --out DIR); errors name the file. */
export async function readReceiptsDir(dir: string): Promise<PayoutReceiptFile[]> {
  const { parseReceiptFile } = await import('@tessera/payouts');
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (e) {
    throw new UsageError(`cannot read --receipts ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (names.length === 0)
    throw new UsageError(
      `--receipts ${dir} holds no receipt files (*.json): write them with tessera participant receipts --out ${dir}`,
    );
  return names.map((n) => {
    const path = join(dir, n);
    try {
      return parseReceiptFile(readFileSync(path, 'utf8'), path);
    } catch (e) {
      throw new UsageError(`--receipts: ${(e as Error).message}`);
    }
  });
}
