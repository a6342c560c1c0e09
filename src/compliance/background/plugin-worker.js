'use strict';
// Runs a validation plugin of the gate in a thread of its own, so that it works while the main thread runs
// the others. Plain JavaScript: it must load the same way under tsx, jest and the CDK CLI.
const { parentPort, workerData } = require('node:worker_threads');

// What the main thread reads while it waits for an answer (background-plugin.ts): that this script runs,
// and that the thread has ended, however it ends, even before the plugin has loaded.
const state = new Int32Array(workerData.state);
Atomics.store(state, 0, 1);
process.on('exit', () => Atomics.store(state, 0, 2));

const Plugin = require(workerData.module)[workerData.exportName];
// One instance per configuration, kept: a plugin may build something expensive once (aws-cdk-lib's
// CloudFormation validation engine does). The least recently used go past a bound: the Control Tower
// check runs some rule files from a folder of each synthesis, a configuration no later one uses.
const instances = new Map();
const MOST_INSTANCES = 64;

function pluginFor(props) {
  const id = JSON.stringify(props ?? null);
  const instance = instances.get(id) ?? new Plugin(props);
  instances.delete(id);
  instances.set(id, instance);
  if (instances.size > MOST_INSTANCES) instances.delete(instances.keys().next().value);
  return instance;
}

parentPort.on('message', ({ context, props, port, signal }) => {
  let message;
  try {
    message = { report: pluginFor(props).validate(context) };
  } catch (error) {
    message = { error: error instanceof Error ? error.stack || error.message : String(error) };
  }
  port.postMessage(message);
  const done = new Int32Array(signal);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
