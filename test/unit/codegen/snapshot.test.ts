import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTypeFiles } from '../../../codegen/crd-to-ts/generate-types.js';
import { parseCrdYaml } from '../../../codegen/crd-to-ts/load.js';
import { corpusDir } from './corpus.js';

describe('opkit generate types output', () => {
  it('matches the snapshot for a small CRD (cert-manager Order)', async () => {
    const file = join(corpusDir, 'cert-manager', 'acme.cert-manager.io_orders.yaml');
    const { crds } = parseCrdYaml(await readFile(file, 'utf8'), 'orders.yaml');
    const files = generateTypeFiles(crds.map((c) => c.crd));
    expect([...files.keys()]).toEqual(['acme.cert-manager.io/v1/index.ts']);
    expect(files.get('acme.cert-manager.io/v1/index.ts')).toMatchSnapshot();
  });
});
