import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { parse } from 'yaml';
import { EXAMPLE_CONFIG, parseConfig } from '../../src/config';
import { MAIN_COMMAND, type MainCommandRun, readmeSampleConfiguration, recordedMainCommand, REPOSITORY_ROOT } from '../support/main-command';

/**
 * A user's first steps, end to end: the README's sample configuration saved as config/platform.yaml in a
 * clone, then the README's main command. The global setup runs it (test/support/global-setup.ts) while the
 * other syntheses run; this file checks what it printed and wrote.
 */
describe(`the README's sample configuration, then \`${MAIN_COMMAND.join(' ')}\``, () => {
  let run: MainCommandRun;
  let assembly: CloudAssembly;
  beforeAll(() => {
    run = recordedMainCommand();
    assembly = new CloudAssembly(path.join(run.workspace, 'cdk.out'));
  });

  test('succeeds, saying which configuration it used and that the gate passed, with the report\'s path', () => {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toContain('Platform configuration: config/platform.yaml (found at the conventional path)\n');
    expect(output).toMatch(/Compliance gate passed: AwsSolutions 0 to fix \(\d+ acknowledged\), PlatformChecks 0 to fix \(\d+ acknowledged\), Control Tower 0 to fix \(\d+ acknowledged\)\. Report: cdk\.out\/compliance\/report\.md \(6 stacks, [\d.]+ s\)/);
    expect(existsSync(path.join(run.workspace, 'cdk.out', 'compliance', 'report.md'))).toBe(true);
  });

  test('prints, line for line, what the deploy guide in the README shows for a pass (the time aside)', () => {
    const readme = readFileSync(path.join(REPOSITORY_ROOT, 'README.md'), 'utf8');
    const shown = /A pass prints[^\n]*\n\s*```\n([\s\S]*?)\n\s*```/.exec(readme)?.[1].split('\n').map((line) => line.trim());
    const withoutTime = (line: string) => line.replace(/\((\d+) stacks, [\d.]+ s\)/, '($1 stacks, … s)');
    const printed = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line !== '');
    expect(shown).toBeDefined();
    expect(printed.map(withoutTime)).toEqual(shown!.map(withoutTime));
  });

  test('every stack is in the account and region the sample names', () => {
    const stacks = [assembly, ...assembly.nestedAssemblies.map((nested) => nested.nestedAssembly)]
      .flatMap((nested) => nested.stacks)
      .map((stack) => [stack.hierarchicalId, `${stack.environment.account}/${stack.environment.region}`]);
    expect(Object.fromEntries(stacks)).toEqual({
      'DeliveryPipeline': '111111111111/eu-west-1',
      'DeliveryPipeline/release/Stateful': '111111111111/eu-west-1',
      'DeliveryPipeline/release/Build': '111111111111/eu-west-1',
      'DeliveryPipeline/dev/Service': '222222222222/eu-west-1',
      'DeliveryPipeline/prod/Service': '333333333333/eu-west-1',
      'DeliveryPipeline/delivery/Pipeline': '111111111111/eu-west-1',
    });
  });

  test('the sample is the example configuration that ships, so the quick start and the guide describe the same platform', () => {
    expect(parseConfig(parse(readmeSampleConfiguration()), 'README.md')).toEqual(parseConfig(EXAMPLE_CONFIG, 'example'));
    expect(readFileSync(path.join(run.workspace, 'config', 'platform.yaml'), 'utf8')).toBe(readmeSampleConfiguration());
  });
});
