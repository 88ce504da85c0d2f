#!/usr/bin/env node
// `npm create operator` runs this bin: it checks the Node version, then hands the arguments to
// opkit's scaffolder (`opkit/create-operator`), which this package pins to the same version.
import nodeModule from 'node:module';
import { unsupportedNode } from './node-version.js';

const problem = unsupportedNode(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`error: ${problem}\n`);
  process.exitCode = 1;
} else {
  // Node >= 22.1 keeps compiled code on disk: later runs compile none of opkit's modules again.
  nodeModule.enableCompileCache?.();
  const { main } = await import('opkit/create-operator');
  process.exitCode = await main(process.argv.slice(2));
}
