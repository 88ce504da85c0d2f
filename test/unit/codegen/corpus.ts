/** The third-party CRD corpus (test/fixtures/crds), loaded once per test file. */
import { join } from 'node:path';
import { generateTypeFiles, loadCrds } from '../../../codegen/crd-to-ts/generate-types.js';
import type { CodegenWarning } from '../../../codegen/errors.js';
import type { CrdDocument } from '../../../codegen/shared/crd.js';
import { repoRoot } from './compile.js';

/** Where the corpus lives. */
export const corpusDir = join(repoRoot, 'test', 'fixtures', 'crds');

/** The corpus, parsed, and its generated files. */
export interface Corpus {
  readonly crds: readonly CrdDocument[];
  readonly warnings: readonly CodegenWarning[];
  readonly files: ReadonlyMap<string, string>;
}

/** The third-party folders of the corpus (widget.yaml beside them is the runtime tests' own CRD). */
export const corpusFolders: readonly string[] = ['cert-manager', 'gateway-api', 'prometheus-operator'].map((name) => join(corpusDir, name));

/** Loads the corpus and generates its files in memory. */
export async function loadCorpus(): Promise<Corpus> {
  const { crds, warnings } = await loadCrds({ inputs: corpusFolders });
  const documents = crds.map((c) => c.crd);
  return { crds: documents, warnings, files: generateTypeFiles(documents) };
}
