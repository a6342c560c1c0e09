import { execFileSync } from 'node:child_process';
import { REPOSITORY_ROOT } from '../support/main-command';

// A generated .gitignore can hide a source file that only exists on the author's machine: the build is green here
// and a clean clone fails to compile. projen's Node defaults ignore every folder named `logs`, for one.
const SOURCE_FOLDERS = ['src', 'test', 'bench', 'tools', 'build-tools', 'projenrc', 'container/src', 'container/test', 'container/Dockerfile'];

function insideGitWorkTree(): boolean {
  try {
    return execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: REPOSITORY_ROOT, encoding: 'utf8' }).trim() === 'true';
  } catch {
    return false;
  }
}

(insideGitWorkTree() ? test : test.skip)('no source file is hidden by .gitignore', () => {
  const ignored = execFileSync('git', ['ls-files', '--others', '--ignored', '--exclude-standard', '--', ...SOURCE_FOLDERS], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  }).split('\n').filter((file) => file !== '' && !file.includes('node_modules/'));
  expect(ignored).toEqual([]);
});
