'use strict';
// Orders the test files by when what they read is ready, and tells the global setup what that is: it starts
// the main command and the syntheses the files read and returns at once (test/support/global-setup.ts).
// The files that read the first two syntheses go first (the longest one among them): while they wait, the
// main command and the syntheses have the machine to themselves. Then the files that read nothing, then
// each file when what it reads is due. JavaScript: jest loads it untransformed.
const { readFileSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * The order results become ready in. The global setup synthesizes the test configurations in this order
 * (it reads this list), beside the main command, which is ready about second.
 */
const PRODUCED = ['three-stages', 'main-command', 'single-account', 'one-stage', 'example', 'generated'];
/** The test configurations (test-configs.ts); the global setup fails when one is missing from PRODUCED. */
const ALL_TEST_CONFIGS = PRODUCED.filter((name) => name !== 'main-command' && name !== 'generated');

/** Where sort leaves, for the global setup, what the test files of this run read: a list of PRODUCED's names. */
const NEEDED = Symbol.for('platform-test-background-needs');

/**
 * What a test file reads of what the global setup produces, found in its text. Generous on purpose: a
 * configuration it names where it reads shared syntheses counts. Should it read one it does not name,
 * sharedSynth fails and says so. With `-t`, jest sorts every file, and everything is started.
 */
function needsOf(path) {
  const source = readFileSync(path, 'utf8');
  const needs = new Set();
  for (const name of ALL_TEST_CONFIGS) if (source.includes(`'${name}'`) && /sharedSynth|TestConfigName/.test(source)) needs.add(name);
  if (/exampleSynth\(/.test(source)) needs.add('example');
  if (/Object\.keys\(TEST_CONFIGS\)/.test(source)) ALL_TEST_CONFIGS.forEach((name) => needs.add(name));
  if (/recordedMainCommand\(/.test(source)) needs.add('main-command');
  if (/generatedConfigsOfRun\(/.test(source)) needs.add('generated');
  return needs;
}

class PlatformTestSequencer extends Sequencer {
  /**
   * Jest sorts the files it will run before it runs the global setup, in the same process: what they read
   * is left for the global setup, which starts only that. One file alone does not wait for every synthesis.
   */
  sort(tests) {
    const needed = new Set();
    const ranked = tests.map((test) => {
      const needs = needsOf(test.path);
      needs.forEach((need) => needed.add(need));
      const rank = Math.max(-1, ...[...needs].map((need) => PRODUCED.indexOf(need)));
      return { test, rank: rank === -1 ? 1.5 : rank, size: readFileSync(test.path).length };
    });
    globalThis[NEEDED] = PRODUCED.filter((name) => needed.has(name));
    // Within a rank, the bigger file first: it is usually the slower one.
    return ranked.sort((a, b) => a.rank - b.rank || b.size - a.size).map(({ test }) => test);
  }
}

module.exports = PlatformTestSequencer;
module.exports.PRODUCED = PRODUCED;
module.exports.NEEDED = NEEDED;
