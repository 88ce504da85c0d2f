// One fresh process of bench/typegen-phases.bench.ts: runs `generate types`' phases on the inputs,
// in order, `ROUNDS` times in this process, and prints each round's milliseconds per phase as one
// JSON line. Round 1 is what a command pays (cold code); the last rounds show the same work warm.
// Arguments: <dist root> <out folder> <inputs...>. It imports the built modules of <dist root>.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, out, ...inputs] = process.argv.slice(2);
const rounds = Number(process.env.ROUNDS ?? 6);
const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { expandInputs, readInput, syncOutputs } = await load('codegen/shared/files.js');
const { parseCrdYaml } = await load('codegen/crd-to-ts/load.js');
const { schemaProblems } = await load('codegen/crd-to-ts/validate-schema.js');
const { CanonicalTexts } = await load("codegen/shared/canonical-texts.js");
const { generateTypeFiles } = await load('codegen/crd-to-ts/generate-types.js');
const { sha256 } = await load('codegen/shared/json.js');

for (let round = 0; round < rounds; round += 1) {
  const ms = {};
  let t = performance.now();
  const lap = (name) => {
    const now = performance.now();
    ms[name] = now - t;
    t = now;
  };
  const files = await expandInputs(inputs, ['.yaml', '.yml', '.json']);
  const texts = [];
  for (const file of files) texts.push(await readInput(file));
  lap('read');
  const crds = texts.flatMap((text, i) => parseCrdYaml(text, files[i], { validateSchemas: false }).crds.map((c) => c.crd));
  lap('parse');
  let problems = 0;
  for (const crd of crds) for (const version of crd.spec.versions) problems += schemaProblems(version.schema.openAPIV3Schema, 'schema').length;
  if (problems > 0) throw new Error(`${problems} schema problems`);
  lap('check');
  for (const crd of crds) sha256(new CanonicalTexts().textOf(crd));
  lap('hash');
  // type building, the source hash (again) and printing
  const outputs = generateTypeFiles(crds);
  lap('generate');
  await syncOutputs(outputs, join(out, String(round)), false);
  lap('write');
  process.stdout.write(`${JSON.stringify(ms)}\n`);
}
