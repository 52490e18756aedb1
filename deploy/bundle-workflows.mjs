// Bundles the workflow code once, at image build time, into one file the worker can load with
// `workflowBundle: { codePath }`. Two reasons to do it at build time rather than at every worker start:
// a workflow that imports a Node builtin (breaking determinism) fails the image build instead of the
// deploy, and a worker starts in about a second without running webpack (and without its memory peak).
//
// Usage: node deploy/bundle-workflows.mjs <workflows entry (.ts or .js)> <output file>
/* global process, console */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const [entry, output] = process.argv.slice(2);
if (!entry || !output) {
  console.error('Usage: node deploy/bundle-workflows.mjs <workflows entry> <output file>');
  process.exit(2);
}

try {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(entry) });
  await mkdir(path.dirname(path.resolve(output)), { recursive: true });
  await writeFile(output, code);
  console.log(`workflow bundle ${output}: ${(code.length / 1024).toFixed(0)} KiB from ${entry}`);
} catch (err) {
  console.error(`bundling workflows from ${entry} failed:`, err);
  process.exit(1);
}
