/**
 * The project's TypeScript types from its CRDs, through the codegen library (`opkit generate
 * types`), in memory: the generators write the result into mem-fs with everything else.
 *
 * Imports the CRD → TS modules directly rather than `codegen/index.js`: the index also loads the
 * TS → CRD side, which loads ts-morph (about a second) that scaffolding does not need.
 * @module
 */
import { CodegenError } from '../../codegen/errors.js';
import { generateTypeFiles } from '../../codegen/crd-to-ts/generate-types.js';
import { dedupeCrds, parseCrdYaml, type LoadedCrd } from '../../codegen/crd-to-ts/load.js';
import { ScaffoldError } from './errors.js';

/**
 * Generates `src/api/<group>/<version>/index.ts` for every CRD among `files` (project-relative path
 * → YAML text; documents that are not CRDs, like kustomization.yaml, are ignored). Equal input
 * gives byte-identical output, the same as `npm run generate` in the project.
 * @throws ScaffoldError `TypesFailed` with the codegen error as cause.
 */
export function generateProjectTypes(files: ReadonlyMap<string, string>): Map<string, string> {
  try {
    const loaded: LoadedCrd[] = [];
    for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) loaded.push(...parseCrdYaml(text, file).crds);
    const generated = generateTypeFiles(dedupeCrds(loaded).map((c) => c.crd));
    return new Map([...generated].map(([path, content]) => [`src/api/${path}`, content]));
  } catch (err) {
    if (err instanceof CodegenError) {
      throw new ScaffoldError({ reason: 'TypesFailed', message: `generating types from config/crd failed: ${err.message}`, cause: err });
    }
    throw err;
  }
}
