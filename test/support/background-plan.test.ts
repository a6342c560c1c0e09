import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { runJob } from './background-job';
import { GENERATED_CONFIGS_ENV } from './generated-configs';
import globalSetup, { backgroundJobs, backgroundPlan } from './global-setup';
import { MAIN_COMMAND_RUN_ENV } from './main-command';
import { leaveRunTmpdir, RUN_TMPDIR_ENV } from './run-tmpdir';
import { SHARED_ASSEMBLIES_ENV } from './synth-app';
import { TEST_CONFIGS } from './test-configs';

// The jobs themselves are background-job.test.ts's: here, only which ones the setup starts.
jest.mock('./background-job', () => ({ runJob: jest.fn(() => Promise.resolve()) }));
const mockedRunJob = jest.mocked(runJob);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sequencer = require('./test-sequencer.js');
const { PRODUCED, NEEDED } = Sequencer as { PRODUCED: string[]; NEEDED: symbol };

const TEST_ROOT = path.join(__dirname, '..');
/** Every result the global setup can produce, each test configuration in the order the sequencer ranks by. */
const EVERYTHING = { configurations: PRODUCED.filter((name) => name in TEST_CONFIGS), mainCommand: true, generated: true };

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'fixtures' ? [] : testFiles(full);
    return entry.endsWith('.test.ts') ? [full] : [];
  });
}

/** What the sequencer leaves for the global setup when jest sorts these files (paths below test/). */
function neededBy(...files: string[]): string[] | undefined {
  const saved = (globalThis as Record<symbol, unknown>)[NEEDED];
  try {
    new Sequencer({}).sort(files.map((file) => ({ path: path.isAbsolute(file) ? file : path.join(TEST_ROOT, file) })));
    return (globalThis as Record<symbol, string[] | undefined>)[NEEDED];
  } finally {
    (globalThis as Record<symbol, unknown>)[NEEDED] = saved;
  }
}

describe('the background work of a run is what its test files read', () => {
  test('a file that reads nothing of it starts nothing', () => {
    expect(neededBy('config/physical-names.test.ts')).toEqual([]);
    expect(backgroundPlan(neededBy('config/physical-names.test.ts'))).toEqual({ configurations: [], mainCommand: false, generated: false });
  });

  test('each file gets what it reads, and no more', () => {
    expect(neededBy('release/release-rehearsal.test.ts')).toEqual(['three-stages']);
    expect(neededBy('stages/service-stack.test.ts')).toEqual(['example']);
    expect(neededBy('e2e/main-command.test.ts')).toEqual(['main-command']);
    expect(neededBy('config/valid-config-synth.test.ts')).toEqual(['generated']);
    expect(backgroundPlan(neededBy('synth-offline.test.ts', 'release/release-rehearsal.test.ts')))
      .toEqual({ configurations: ['three-stages', 'example'], mainCommand: true, generated: false });
  });

  test('the whole suite starts everything, each configuration in the order the sequencer ranks the files by', () => {
    expect(neededBy(...testFiles(TEST_ROOT))).toEqual(PRODUCED);
    expect(backgroundPlan(neededBy(...testFiles(TEST_ROOT)))).toEqual(EVERYTHING);
  });

  test('without the sequencer\'s word, everything is started', () => {
    expect(backgroundPlan(undefined)).toEqual(EVERYTHING);
  });

  describe('the global setup', () => {
    const slots = globalThis as Record<symbol, unknown>;
    let env: NodeJS.ProcessEnv;
    let saved: unknown;
    beforeEach(() => {
      env = { ...process.env };
      saved = slots[NEEDED];
      mockedRunJob.mockClear();
    });
    afterEach(() => {
      // Only the run folder this test's setup entered: the one of the whole run stays.
      if (process.env[RUN_TMPDIR_ENV] !== env[RUN_TMPDIR_ENV]) leaveRunTmpdir();
      slots[NEEDED] = saved;
      process.env = env;
    });

    test('starts nothing when the run\'s files read nothing, and clears what an earlier run in the process set', async () => {
      process.env[MAIN_COMMAND_RUN_ENV] = '/a/workspace/of/an/earlier/run';
      process.env[GENERATED_CONFIGS_ENV] = '[]';
      slots[NEEDED] = [];
      globalSetup();

      expect(mockedRunJob).not.toHaveBeenCalled();
      expect(JSON.parse(process.env[SHARED_ASSEMBLIES_ENV]!)).toEqual({});
      expect(process.env[MAIN_COMMAND_RUN_ENV]).toBeUndefined();
      expect(process.env[GENERATED_CONFIGS_ENV]).toBeUndefined();
      expect(await backgroundJobs()).toEqual([]);
    });

    test('starts the main command and synthesizes only the configurations the run\'s files read', () => {
      slots[NEEDED] = ['main-command', 'example'];
      globalSetup();

      const outdirs = JSON.parse(process.env[SHARED_ASSEMBLIES_ENV]!);
      const workspace = process.env[MAIN_COMMAND_RUN_ENV]!;
      expect(Object.keys(outdirs)).toEqual(['example']);
      expect(process.env[GENERATED_CONFIGS_ENV]).toBeUndefined();
      expect(mockedRunJob.mock.calls.map(([script, args, outputs]) => [path.basename(script), args, outputs])).toEqual([
        ['main-command.ts', [workspace], [workspace]],
        ['synth-job.ts', [`example=${outdirs.example}`], [outdirs.example]],
      ]);
    });
  });
});
