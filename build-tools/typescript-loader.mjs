// Runs TypeScript as `node --import tsx` does, except that installed CommonJS files are compiled by Node
// directly. tsx reads every .js file again and scans it for ESM syntax before Node compiles it. A synth
// `require`s about 800 files of aws-cdk-lib, cdk-nag and the validators, before tsx's WebAssembly scanner has
// loaded. Measured on the example through `cdk synth`, gate cold, 6 runs of each: 1.3 s less CPU, 0.65 s less
// wall time (bench/README.md). Only `require` of .js and .cjs files under node_modules changes hands. An
// installed package that ships ESM in .js gets what Node 24 gives it without tsx: require(esm). Everything
// else (the project's files, `import`, TypeScript in node_modules) stays with tsx.
//
// Usage: node --import ./build-tools/typescript-loader.mjs <file.ts>. Worker threads inherit it.
import Module from 'node:module';
import { extname, sep } from 'node:path';

const INSTALLED = `${sep}node_modules${sep}`;
const COMPILED_BY_NODE = new Set(['.js', '.cjs']);

const handlerBefore = Module._extensions['.js'];
await import('tsx');
const loadWithTsx = Module._extensions['.js'];

// The same handler after the import: tsx was registered before this file ran (NODE_OPTIONS=--import tsx,
// say), so the one found first is tsx's. Then everything stays with tsx, as without this file.
if (loadWithTsx !== handlerBefore) {
  const loadWithNode = handlerBefore;
  Module._extensions['.js'] = function loadJavaScript(module, filename) {
    const node = filename.includes(INSTALLED) && COMPILED_BY_NODE.has(extname(filename));
    return (node ? loadWithNode : loadWithTsx).call(this, module, filename);
  };
}
