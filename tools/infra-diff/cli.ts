import { diffAssemblies } from './diff-templates';
import { AssemblyError, readAssembly } from './read-assembly';
import { renderMarkdown } from './render-markdown';

const USAGE = 'usage: npx projen infra-diff <base-assembly-dir> <head-assembly-dir> [--fail-on-broadening]';
const FAIL_ON_BROADENING = '--fail-on-broadening';
const HELP = `${USAGE}

Compares two synthesized cloud assemblies offline (no AWS credentials) and prints a Markdown summary on
stdout: the stacks and resources added, removed or changed, and each grant only the head has (permission
broadening: IAM statements, policy attachments, Lambda permissions, security-group rules).

  <base-assembly-dir>    a cdk.out, e.g. of the base branch: npx cdk synth --output base.out
  <head-assembly-dir>    a cdk.out of the change
  --fail-on-broadening   exit 2 when the head adds a grant
  -h, --help             print this help and exit 0

Exit codes: 0 the diff was printed; 1 bad arguments, or an input without a readable manifest.json;
2 --fail-on-broadening and a grant was added. More in tools/infra-diff/README.md.
`;

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
  if (args.includes('--help') || args.includes('-h')) return { exitCode: EXIT_OK, stdout: HELP, stderr: '' };
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
