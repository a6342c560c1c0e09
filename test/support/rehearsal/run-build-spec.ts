import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Runs a CodeBuild build spec (version 0.2, bash) locally, with the phase semantics CodeBuild documents:
 * https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html and
 * https://docs.aws.amazon.com/codebuild/latest/userguide/view-build-details.html#view-build-details-phases
 *
 * It knows nothing about any particular build spec. What it cannot emulate (other shells, run-as, retries)
 * it refuses, rather than run something CodeBuild would run differently. `install.runtime-versions` is
 * accepted and reported, not applied: the commands run on the machine's own tools.
 */

export const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type PhaseName = typeof PHASES[number];

export interface RunBuildSpecOptions {
  /** The build spec object, as passed to `BuildSpec.fromObject` or parsed from a template. */
  readonly spec: unknown;
  /** The folder the build runs in, holding the source: CodeBuild's CODEBUILD_SRC_DIR. */
  readonly sourceDir: string;
  /**
   * Variables from the project, the pipeline action or a start-build override, and those CodeBuild itself
   * provides (AWS_REGION, CODEBUILD_BUILD_NUMBER, ...). They win over the build spec's `env.variables`.
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** The values CodeBuild would resolve, by `env.parameter-store` parameter name and `env.secrets-manager` reference. */
  readonly resolvedSecrets?: Readonly<Record<string, string>>;
  /** Folders searched before the system PATH, e.g. stand-in executables. */
  readonly pathPrefix?: readonly string[];
  readonly timeoutMs?: number;
}

export interface PhaseOutcome {
  readonly name: PhaseName;
  readonly succeeded: boolean;
  /** The first command of the phase (or its `finally` block) that exited non-zero. */
  readonly failedCommand?: string;
}

export interface BuildSpecRun {
  readonly succeeded: boolean;
  /** The folder the build ran in, with what it left there (its output artifacts, among others). */
  readonly sourceDir?: string;
  /** Exit status of the build shell: 0 when every phase that ran succeeded. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The phases that ran, in order. */
  readonly phases: readonly PhaseOutcome[];
  readonly phasesRun: readonly PhaseName[];
  /** The values of `env.exported-variables` at the end of the build, for those that were set. */
  readonly exportedVariables: Readonly<Record<string, string>>;
  /** Why the build failed outside any command: an unresolvable secret, or the build shell ending early. */
  readonly error?: string;
}

type OnFailure = 'ABORT' | 'CONTINUE' | undefined;

interface Phase {
  readonly name: PhaseName;
  readonly commands: readonly string[];
  readonly finally: readonly string[];
  readonly onFailure: OnFailure;
}

interface ParsedSpec {
  readonly variables: Record<string, string>;
  readonly parameterStore: Record<string, string>;
  readonly secretsManager: Record<string, string>;
  readonly exportedVariables: readonly string[];
  readonly phases: readonly Phase[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function runBuildSpec(options: RunBuildSpecOptions): BuildSpecRun {
  const spec = parseSpec(options.spec);
  const scratch = mkdtempSync(path.join(tmpdir(), 'build-spec-run-'));
  try {
    const secrets = resolveSecrets(spec, options.resolvedSecrets ?? {});
    if ('error' in secrets) {
      // CodeBuild fails such a build while provisioning it, before any phase.
      return { succeeded: false, status: null, stdout: '', stderr: '', phases: [], phasesRun: [], exportedVariables: {}, error: secrets.error };
    }
    const scratchTmp = path.join(scratch, 'tmp');
    mkdirSync(scratchTmp);
    const journal = path.join(scratch, 'journal');
    const script = writeDriver(spec, scratch, journal);
    const result = spawnSync('bash', [script], {
      cwd: options.sourceDir,
      env: {
        PATH: [...(options.pathPrefix ?? []), process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(path.delimiter),
        HOME: scratch,
        // Each build has a container, and a /tmp, of its own.
        TMPDIR: scratchTmp,
        LANG: 'C.UTF-8',
        // Lowest to highest precedence, as CodeBuild documents: build spec, then project and overrides.
        ...spec.variables,
        ...secrets.values,
        ...options.environment,
        CODEBUILD_SRC_DIR: options.sourceDir,
        CODEBUILD_BUILD_SUCCEEDING: '1',
      },
      input: '',
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    return { ...readOutcome(spec, scratch, journal, result.status, result.stdout, result.stderr), sourceDir: options.sourceDir };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function parseSpec(input: unknown): ParsedSpec {
  const spec = asRecord(input, 'the build spec');
  allowOnly(spec, ['version', 'env', 'phases', 'artifacts', 'cache', 'reports'], 'the build spec');
  if (spec.version !== '0.2') throw new Error(`only build spec version 0.2 is emulated, got ${JSON.stringify(spec.version)}`);

  const env = spec.env === undefined ? {} : asRecord(spec.env, 'env');
  allowOnly(env, ['shell', 'variables', 'parameter-store', 'secrets-manager', 'exported-variables'], 'env');
  // Without env.shell CodeBuild runs commands with sh on Linux, whose syntax differs from bash's.
  if (env.shell !== 'bash') throw new Error(`only env.shell: bash is emulated, got ${JSON.stringify(env.shell)}`);

  const exported = env['exported-variables'] === undefined ? [] : asStrings(env['exported-variables'], 'env.exported-variables');
  for (const name of exported) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`env.exported-variables: "${name}" is not a variable name`);
  }

  const phasesInput = asRecord(spec.phases, 'phases');
  allowOnly(phasesInput, PHASES, 'phases');
  const phases = PHASES.filter((name) => phasesInput[name] !== undefined).map((name): Phase => {
    const phase = asRecord(phasesInput[name], `phases.${name}`);
    allowOnly(phase, name === 'install' ? ['commands', 'finally', 'on-failure', 'runtime-versions'] : ['commands', 'finally', 'on-failure'], `phases.${name}`);
    const onFailure = phase['on-failure'];
    if (onFailure !== undefined && onFailure !== 'ABORT' && onFailure !== 'CONTINUE') {
      throw new Error(`phases.${name}.on-failure: only ABORT and CONTINUE are emulated, got ${JSON.stringify(onFailure)}`);
    }
    return {
      name,
      commands: phase.commands === undefined ? [] : asStrings(phase.commands, `phases.${name}.commands`),
      finally: phase.finally === undefined ? [] : asStrings(phase.finally, `phases.${name}.finally`),
      onFailure,
    };
  });

  return {
    variables: asStringMap(env.variables, 'env.variables'),
    parameterStore: asStringMap(env['parameter-store'], 'env.parameter-store'),
    secretsManager: asStringMap(env['secrets-manager'], 'env.secrets-manager'),
    exportedVariables: exported,
    phases,
  };
}

function resolveSecrets(spec: ParsedSpec, resolved: Readonly<Record<string, string>>): { values: Record<string, string> } | { error: string } {
  const values: Record<string, string> = {};
  const sections: Array<[string, Record<string, string>]> = [['parameter-store', spec.parameterStore], ['secrets-manager', spec.secretsManager]];
  for (const [section, references] of sections) {
    for (const [name, reference] of Object.entries(references)) {
      const value = resolved[reference];
      if (value === undefined) return { error: `env.${section}: ${name} references "${reference}", which has no value` };
      values[name] = value;
    }
  }
  return { values };
}

/**
 * One bash process runs every command of the build, so variables and the working directory carry over from
 * command to command and phase to phase, as in version 0.2. Each command is sourced from its own file and its
 * status checked afterwards, without `set -e`, so a failing command fails its phase instead of the shell.
 */
function writeDriver(spec: ParsedSpec, scratch: string, journal: string): string {
  const lines: string[] = [
    // CodeBuild runs each command as a script of its own (its errors name /codebuild/output/tmp/script.sh), so
    // `exit` ends that command only, with its status, and the next command still runs. In a sourced file
    // `return` does exactly that, while a real `exit` would end the whole emulated build.
    'shopt -s expand_aliases',
    'alias exit=return',
    `trap 'printf "shell-exit %s\\n" "$?" >> ${quote(journal)}' EXIT`,
    '__rehearsal_stop=0',
    '__rehearsal_build_failed=0',
  ];
  const record = (text: string): string => `printf ${quote(`${text}\n`)} >> ${quote(journal)}`;
  let fileNumber = 0;
  const runBlock = (phase: PhaseName, block: 'commands' | 'finally', commands: readonly string[], gate: string): void => {
    commands.forEach((command, index) => {
      const file = path.join(scratch, `command-${++fileNumber}.sh`);
      writeFileSync(file, `${command}\n`);
      lines.push(
        `  if [ "$${gate}" = 0 ]; then`,
        `    source ${quote(file)}`,
        '    __rehearsal_status=$?',
        `    printf 'command ${phase} ${block} ${index} %s\\n' "$__rehearsal_status" >> ${quote(journal)}`,
        '    if [ "$__rehearsal_status" != 0 ]; then',
        `      ${gate}=1`,
        '      __rehearsal_phase_failed=1',
        // Set as soon as the phase fails, so the phase's own finally block already sees the failure.
        '      export CODEBUILD_BUILD_SUCCEEDING=0',
        '    fi',
        '  fi',
      );
    });
  };

  for (const phase of spec.phases) {
    lines.push(
      'if [ "$__rehearsal_stop" = 0 ]; then',
      `  ${record(`phase-start ${phase.name}`)}`,
      '  __rehearsal_phase_failed=0',
      '  __rehearsal_commands_failed=0',
      '  __rehearsal_finally_failed=0',
    );
    runBlock(phase.name, 'commands', phase.commands, '__rehearsal_commands_failed');
    // finally runs whether the commands succeeded or not; a failure in it fails the phase too.
    runBlock(phase.name, 'finally', phase.finally, '__rehearsal_finally_failed');
    lines.push(
      `  printf 'phase-end ${phase.name} %s\\n' "$__rehearsal_phase_failed" >> ${quote(journal)}`,
      '  if [ "$__rehearsal_phase_failed" = 1 ]; then',
      '    __rehearsal_build_failed=1',
      ...(stopsTheBuild(phase) ? ['    __rehearsal_stop=1'] : []),
      '  fi',
      'fi',
    );
  }

  mkdirSync(path.join(scratch, 'exported'));
  for (const name of spec.exportedVariables) {
    lines.push(`if [ -n "\${${name}+set}" ]; then printf '%s' "$${name}" > ${quote(path.join(scratch, 'exported', name))}; fi`);
  }
  lines.push(`printf 'done %s\\n' "$__rehearsal_build_failed" >> ${quote(journal)}`, 'builtin exit "$__rehearsal_build_failed"');

  const script = path.join(scratch, 'build.sh');
  writeFileSync(script, `${lines.join('\n')}\n`);
  return script;
}

/**
 * Whether a failure of this phase ends the build. ABORT always does, CONTINUE never does; by default a failed
 * install or pre_build ends the build, while a failed build phase still moves on to post_build.
 */
function stopsTheBuild(phase: Phase): boolean {
  if (phase.onFailure === 'ABORT') return true;
  if (phase.onFailure === 'CONTINUE') return false;
  return phase.name === 'install' || phase.name === 'pre_build' || phase.name === 'post_build';
}

function readOutcome(spec: ParsedSpec, scratch: string, journal: string, status: number | null, stdout: string, stderr: string): BuildSpecRun {
  const entries = existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ')) : [];
  const phases: PhaseOutcome[] = [];
  let current: { name: PhaseName; failedCommand?: string } | undefined;
  let finished = false;
  for (const entry of entries) {
    const [kind, name] = entry;
    const phase = spec.phases.find((candidate) => candidate.name === name);
    if (kind === 'phase-start' && phase) {
      current = { name: phase.name };
    } else if (kind === 'command' && phase && current && entry[4] !== '0' && current.failedCommand === undefined) {
      current.failedCommand = (entry[2] === 'finally' ? phase.finally : phase.commands)[Number(entry[3])];
    } else if (kind === 'phase-end' && current) {
      phases.push({ name: current.name, succeeded: entry[2] === '0', failedCommand: current.failedCommand });
      current = undefined;
    } else if (kind === 'done') {
      finished = true;
    }
  }
  // The shell itself ended mid-phase (a command turned on `set -e`, or killed it): that phase and the build failed.
  if (current) phases.push({ name: current.name, succeeded: false, failedCommand: current.failedCommand });

  const exportedVariables: Record<string, string> = {};
  for (const name of spec.exportedVariables) {
    const file = path.join(scratch, 'exported', name);
    if (existsSync(file)) exportedVariables[name] = readFileSync(file, 'utf8');
  }
  const succeeded = finished && status === 0 && phases.every((phase) => phase.succeeded);
  return {
    succeeded,
    status,
    stdout,
    stderr,
    phases,
    phasesRun: phases.map((phase) => phase.name),
    exportedVariables,
    error: finished ? undefined : `the build shell ended before the build did (exit status ${status})`,
  };
}

function quote(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be a mapping`);
  return value as Record<string, unknown>;
}

function asStrings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new Error(`${where} must be a list of strings`);
  return value as string[];
}

function asStringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  const map = asRecord(value, where);
  for (const [name, item] of Object.entries(map)) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`${where}: "${name}" is not a variable name`);
    if (typeof item !== 'string') throw new Error(`${where}.${name} must be a string`);
  }
  return map as Record<string, string>;
}

function allowOnly(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: ${unknown.join(', ')} not emulated`);
}
