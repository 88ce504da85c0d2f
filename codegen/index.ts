/**
 * Opkit code generation: `opkit generate types` (CRD schema → TypeScript) and `opkit generate crd`
 * (TypeScript with TSDoc markers → CRD). The marker syntax both use is documented in
 * docs/markers.md.
 * @packageDocumentation
 */
export {
  CodegenError,
  InputNotFoundError,
  InvalidMarkerError,
  MalformedYamlError,
  UnsupportedTypeError,
  formatLocation,
  formatWarning,
  type CodegenErrorReason,
  type CodegenWarning,
  type SourceLocation,
} from './errors.js';
export {
  generateTypes,
  generateTypeFiles,
  loadCrds,
  typesFilePath,
  type GenerateTypeFilesOptions,
  type GenerateTypesOptions,
  type GenerateTypesResult,
} from './crd-to-ts/generate-types.js';
export { readCrdFromCluster, toWireJson, type ClusterCrdReader } from './crd-to-ts/cluster.js';
export { parseCrdYaml, type LoadedCrd, type LoadResult } from './crd-to-ts/load.js';
export { GENERATED_MARKER, sourceHash } from './crd-to-ts/file.js';
export { buildCrds, generateCrd, type GenerateCrdOptions, type GenerateCrdResult } from './ts-to-crd/generate-crd.js';
export { crdFileName, renderCrdYaml, GENERATED_CRD_MARKER } from './ts-to-crd/emit.js';
export type { TsSource } from './ts-to-crd/source.js';
export { normalizeForComparison } from './shared/normalize.js';
export type { CrdDocument, CrdNames, CrdSpec, CrdVersion } from './shared/crd.js';
export type { OutputFile, OutputStatus } from './shared/files.js';
export type { JsonObject, JsonValue } from './shared/json.js';
