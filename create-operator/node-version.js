// The Node version check of `npm create operator`, kept in plain JavaScript that any Node able to
// run npm parses, so that an old Node gets this message rather than a syntax or import error.

/** The oldest Node that Opkit supports, as [major, minor]. */
export const MINIMUM_NODE = [20, 19];

/**
 * Why `version` (e.g. `process.versions.node`) cannot run Opkit, with the fix; undefined when it can.
 * @param {string} version
 * @returns {string | undefined}
 */
export function unsupportedNode(version) {
  const [major, minor] = version.split('.').map((part) => Number.parseInt(part, 10));
  const [needMajor, needMinor] = MINIMUM_NODE;
  if (major === undefined || minor === undefined || Number.isNaN(major) || Number.isNaN(minor)) {
    return `cannot read the Node version "${version}"; Opkit needs Node >= ${needMajor}.${needMinor}`;
  }
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `Node ${version} is not supported: Opkit needs Node >= ${needMajor}.${needMinor} (an LTS release: 20.19+, 22 or 24). ` +
    'Install a newer Node (e.g. with nvm: nvm install 22, or from your package manager), then run npm create operator again. Nothing was written.'
  );
}
