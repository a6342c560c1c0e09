import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ACTIONS, type PinnedAction } from '../../projenrc/action-pins';
import { adoptPins, main, parseLsRemote, releaseTagOf, verifyPins, workflowShas } from '../../projenrc/action-pins-cli';

const PINS_SOURCE = readFileSync(path.join(__dirname, '..', '..', 'projenrc', 'action-pins.ts'), 'utf8');
const PINS: PinnedAction[] = Object.values(ACTIONS);
const sha = (digit: string) => digit.repeat(40);

/** `git ls-remote --tags` output: a lightweight tag is one line, an annotated one two (the tag object, then `^{}`). */
const SETUP_NODE_TAGS = [
  `${sha('1')}\trefs/tags/v7`,
  `${sha('2')}\trefs/tags/v7.1.0`,
  `${sha('1')}\trefs/tags/v7.1.0^{}`,
  `${sha('1')}\trefs/tags/latest`,
  `${sha('3')}\trefs/tags/v6.4.0`,
  `${ACTIONS.setupNode.uses.split('@')[1]}\trefs/tags/v7.0.0`,
].join('\n');

const tagsOf = (repository: string) => parseLsRemote(repository === 'actions/setup-node' ? SETUP_NODE_TAGS : '');

function workflowUsing(uses: string): Map<string, string> {
  return new Map([['build.yml', `jobs:\n  build:\n    steps:\n      - name: n\n        uses: ${uses}\n      - run: echo\n`]]);
}

describe('action pin refresh', () => {
  test('reads lightweight and annotated tags, an annotated one by the commit it points at', () => {
    const tags = parseLsRemote(SETUP_NODE_TAGS);
    expect(tags.get('v7.1.0')).toBe(sha('1'));
    expect(tags.get('v6.4.0')).toBe(sha('3'));
  });

  test('names a commit by its most specific release tag, never by a branch-like tag', () => {
    const tags = parseLsRemote(SETUP_NODE_TAGS);
    expect(releaseTagOf(sha('1'), tags)).toBe('v7.1.0');
    expect(releaseTagOf(sha('9'), tags)).toBeUndefined();
    expect(releaseTagOf(sha('1'), parseLsRemote(`${sha('1')}\trefs/tags/latest`))).toBeUndefined();
  });

  test('verify reports a SHA that is not the commit of its recorded tag', () => {
    const pins = [ACTIONS.setupNode, { ...ACTIONS.setupNode, version: 'v7.1.0' }, { ...ACTIONS.setupNode, version: 'v8.0.0' }];
    expect(verifyPins(pins, tagsOf)).toEqual([
      `actions/setup-node: v7.1.0 is ${sha('1')}, not the recorded ${ACTIONS.setupNode.uses.split('@')[1]}`,
      'actions/setup-node: actions/setup-node has no tag v8.0.0',
    ]);
  });

  test('adopt records the SHA a workflow uses with its release tag, and changes nothing else', () => {
    const { source, adopted } = adoptPins(PINS_SOURCE, PINS, workflowUsing(`actions/setup-node@${sha('1')}`), tagsOf);
    expect(adopted).toEqual([{ action: 'actions/setup-node', from: ACTIONS.setupNode.version, to: 'v7.1.0', sha: sha('1') }]);
    const changed = (text: string) => text.split('\n').filter((line) => !PINS_SOURCE.includes(line));
    expect(changed(source)).toEqual([`  setupNode: { uses: 'actions/setup-node@${sha('1')}', version: 'v7.1.0', minimumMajor: 7 },`]);
    expect(source.split('\n').length).toBe(PINS_SOURCE.split('\n').length);
  });

  test('adopt leaves the record alone when the workflows use the recorded pins', () => {
    expect(adoptPins(PINS_SOURCE, PINS, workflowUsing(ACTIONS.setupNode.uses), tagsOf)).toEqual({ source: PINS_SOURCE, adopted: [] });
  });

  test('adopt refuses a commit no release tag names, a release below the minimum major, and an unrecorded action', () => {
    expect(() => adoptPins(PINS_SOURCE, PINS, workflowUsing(`actions/setup-node@${sha('9')}`), tagsOf)).toThrow(/no release tag/);
    expect(() => adoptPins(PINS_SOURCE, PINS, workflowUsing(`actions/setup-node@${sha('3')}`), tagsOf)).toThrow(/older than the minimum major 7/);
    expect(() => adoptPins(PINS_SOURCE, PINS, workflowUsing(`actions/labeler@${sha('1')}`), tagsOf)).toThrow(/no pin for this action/);
  });

  test('adopt refuses workflows that disagree on an action\'s SHA', () => {
    const two = new Map([...workflowUsing(ACTIONS.setupNode.uses), ['upgrade.yml', workflowUsing(`actions/setup-node@${sha('1')}`).get('build.yml')!]]);
    expect(() => workflowShas(two)).toThrow(/actions\/setup-node is pinned at/);
  });

  test('--help prints the usage and succeeds; no command fails', () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['--help'])).toBe(0);
      expect(String(out.mock.calls[0][0])).toMatch(/^usage: npx projen actions:verify/);
      expect(main([])).toBe(1);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
