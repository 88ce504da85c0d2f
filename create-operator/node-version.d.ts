/** The oldest Node that Opkit supports, as [major, minor]. */
export declare const MINIMUM_NODE: readonly [number, number];
/** Why `version` (e.g. `process.versions.node`) cannot run Opkit, with the fix; undefined when it can. */
export declare function unsupportedNode(version: string): string | undefined;
