import { diffAssemblies } from './diff-templates';
import { AssemblyError, readAssembly } from './read-assembly';
import { renderMarkdown } from './render-markdown';

const USAGE = 'usage: npx tsx tools/infra-diff/cli.ts <base-assembly-dir> <head-assembly-dir> [--fail-on-broadening]';
const FAIL_ON_BROADENING = '--fail-on-broadening';

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_BROADENING = 2;

export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Kept free of process state so tests can call it without spawning a process. */
export function runCli(args: readonly string[]): CliResult {
  const flags = args.filter((arg) => arg.startsWith('--'));
  const dirs = args.filter((arg) => !arg.startsWith('--'));
  const unknown = flags.filter((flag) => flag !== FAIL_ON_BROADENING);
  if (dirs.length !== 2 || unknown.length > 0) {
    return { exitCode: EXIT_BAD_INPUT, stdout: '', stderr: `infra-diff: ${unknown.length > 0 ? `unknown option ${unknown[0]}; ` : ''}${USAGE}\n` };
  }
  try {
    const diff = diffAssemblies(readAssembly(dirs[0]), readAssembly(dirs[1]));
    const broadened = diff.permissions.broadening.length > 0;
    const exitCode = broadened && flags.includes(FAIL_ON_BROADENING) ? EXIT_BROADENING : EXIT_OK;
    return { exitCode, stdout: renderMarkdown(diff), stderr: '' };
  } catch (err) {
    if (!(err instanceof AssemblyError)) throw err;
    return { exitCode: EXIT_BAD_INPUT, stdout: '', stderr: `infra-diff: ${err.message}\n` };
  }
}

if (require.main === module) {
  const result = runCli(process.argv.slice(2));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  // exitCode rather than exit(), so a large summary piped to the workflow is fully flushed first.
  process.exitCode = result.exitCode;
}
