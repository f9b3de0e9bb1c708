// A recommend spec's catalogue file, read into {items: [...]} before the spec is signed: one id per line or a CSV
// with an item_id column, relative to the spec; errors name the file and the line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { readJobSpec } from '../src/commands/job.js';
import { runCli } from './in-process.js';

describe('recommend job spec: catalogue file', () => {
  const tmp = tempDir('tessera-recommend-catalogue-');
  afterAll(() => tmp.cleanup());
  const at = (f: string) => join(tmp.dir, f);
  const spec = (catalogue: unknown, extra: object = {}) => ({
    name: 'basket',
    kind: 'recommend',
    dataset: 'orders',
    catalogue,
    model: { k: 2 },
    ...extra,
  });
  const write = (name: string, value: unknown) => {
    writeFileSync(at(name), typeof value === 'string' ? value : JSON.stringify(value));
    return at(name);
  };

  it('reads one id per line, relative to the spec file, into the list the spec is signed with', async () => {
    write('items.txt', 'sku-3\n sku-1 \r\n\nsku-2\n');
    const read = (await readJobSpec(write('job.json', spec({ file: 'items.txt' })))) as {
      catalogue: unknown;
      model: unknown;
    };
    expect(read.catalogue).toEqual({ items: ['sku-3', 'sku-1', 'sku-2'] });
    // the rest goes as written (the coordinator fills defaults)
    expect(read.model).toEqual({ k: 2 });
  });

  it('reads a CSV with an item_id column (YAML specs too), and a list given inline stays as it is', async () => {
    write('catalogue.csv', 'name,item_id,price\nmug,m-1,3\n"tea, green",t-7,4\n');
    const yaml = write(
      'job.yaml',
      'name: basket\nkind: recommend\ndataset: orders\ncatalogue:\n  file: catalogue.csv\n',
    );
    expect(((await readJobSpec(yaml)) as { catalogue: unknown }).catalogue).toEqual({ items: ['m-1', 't-7'] });
    write('one.csv', 'item_id\na\nb\nc\n');
    const one = (await readJobSpec(write('one.json', spec({ file: 'one.csv' })))) as { catalogue: unknown };
    expect(one.catalogue).toEqual({ items: ['a', 'b', 'c'] });
    const inline = (await readJobSpec(write('inline.json', spec({ items: ['x', 'y', 'z'] })))) as {
      catalogue: unknown;
    };
    expect(inline.catalogue).toEqual({ items: ['x', 'y', 'z'] });
    const sealed = (await readJobSpec(write('sealed.json', spec({ file: 'one.csv' })), { sealed: true })) as {
      secure: unknown;
    };
    expect(sealed.secure).toEqual({ mode: 'sealed' });
  });

  it('refuses a bad catalogue file naming the file and the line', async () => {
    write('dup.txt', 'a\nb\na\n');
    await expect(readJobSpec(write('dup.json', spec({ file: 'dup.txt' })))).rejects.toThrow(
      `${at('dup.txt')} line 3: item id "a" is listed twice (line 1); list each once`,
    );
    write('blank.csv', 'item_id,name\nx,one\n,two\n');
    await expect(readJobSpec(write('blank.json', spec({ file: 'blank.csv' })))).rejects.toThrow(
      `${at('blank.csv')} line 3: the item id is empty; fill it in or drop the line`,
    );
    write('nocol.csv', 'sku,name\nx,one\n');
    await expect(readJobSpec(write('nocol.json', spec({ file: 'nocol.csv' })))).rejects.toThrow(
      `${at('nocol.csv')} line 1: a CSV catalogue needs an "item_id" column; the columns are: sku, name`,
    );
    write('empty.txt', '\n\n');
    await expect(readJobSpec(write('empty.json', spec({ file: 'empty.txt' })))).rejects.toThrow(
      `${at('empty.txt')}: the catalogue lists no item ids`,
    );
    await expect(readJobSpec(write('gone.json', spec({ file: 'gone.txt' })))).rejects.toThrow(
      `${at('gone.txt')}: file not found`,
    );
    await expect(readJobSpec(write('num.json', spec({ file: 7 })))).rejects.toThrow(
      `${at('num.json')}: catalogue.file must be a file name, got 7`,
    );
    await expect(readJobSpec(write('both.json', spec({ file: 'dup.txt', items: ['a'] })))).rejects.toThrow(
      'catalogue gives a file and items; give either',
    );
    // the expanded spec is checked like any recommend spec: k too large for the declared catalogue
    write('two.txt', 'a\nb\n');
    await expect(readJobSpec(write('k.json', spec({ file: 'two.txt' }, { model: { k: 300 } })))).rejects.toThrow(
      `${at('k.json')}: job spec: model.k`,
    );
  });

  it('job submit reads the file before it connects: a bad line is refused with no coordinator', async () => {
    write('bad.txt', 'sku-1\nsku-1\n');
    const r = await runCli(['job', 'submit', write('submit.json', spec({ file: 'bad.txt' }))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${at('bad.txt')} line 2: item id "sku-1" is listed twice (line 1)`);
    const help = await runCli(['job', 'submit', '--help']);
    expect(help.stdout).toContain('"catalogue": {"file": "catalogue.csv"}');
  });
});
