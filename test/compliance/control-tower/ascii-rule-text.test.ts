import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { asciiRuleText } from '../../../src/compliance/control-tower/ascii-rule-text';

const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

test('writes \\w, \\d, \\s and . of regular expressions as ASCII classes, inside brackets and out', () => {
  expect(asciiRuleText('let WILDCARD = /^[\\w]*[:]*\\*$/\n')).toBe('let WILDCARD = /^[[:word:]]*[:]*\\*$/\n');
  expect(asciiRuleText('this != /\\A\\s*\\z/')).toBe('this != /\\A[[:space:]]*\\z/');
  expect(asciiRuleText('let ID = /:\\d{12}:[\\w\\-]{1,64}\\//')).toBe('let ID = /:[[:digit:]]{12}:[[:word:]\\-]{1,64}\\//');
  expect(asciiRuleText('let NOT_WORD = /[^\\w]/')).toBe('let NOT_WORD = /[^[:word:]]/');
  // A dot is every character but the line feed; in brackets, and escaped, it is a dot.
  expect(asciiRuleText('let TYPES = [ /^c5\\..+?$/, /^a[.]b$/ ]')).toBe('let TYPES = [ /^c5\\.[\\x00-\\x09\\x0B-\\x7F]+?$/, /^a[.]b$/ ]');
  // A `]` first in a class is one of its characters; an escaped backslash does not escape the dot after it.
  expect(asciiRuleText('let P = /[].]\\d[^].]\\\\./')).toBe('let P = /[].][[:digit:]][^].]\\\\[\\x00-\\x09\\x0B-\\x7F]/');
  // With the flag s, a dot matches the line feed too: such a pattern keeps its dots.
  expect(asciiRuleText('let ANY = /(?s)^.*\\d$/')).toBe('let ANY = /(?s)^.*[[:digit:]]$/');
});

test('leaves alone what is not one of those classes in a regular expression, and says when nothing changed', () => {
  // Other escapes, and a backslash escaped itself, followed by a letter.
  expect(asciiRuleText('let P = /\\W\\D\\S\\.\\/\\\\w/')).toBeUndefined();
  // A comment, a custom message and quoted strings, each with a slash and \w in it.
  const text = [
    '# matches /\\w+/ in a comment',
    'rule r { Properties.Name == "a/\\w/b" <<Fix: use /\\d/ as in "it\'s">> }',
    "let s = 'x/\\s/y'",
    '',
  ].join('\n');
  expect(asciiRuleText(text)).toBeUndefined();
  expect(asciiRuleText(`${text}let p = /\\w/\n`)).toBe(`${text}let p = /[[:word:]]/\n`);
});

test('changes the Control Tower rule files only where their regular expressions use \\w, \\d, \\s or .', () => {
  const files = readdirSync(CONTROL_TOWER_RULES, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.guard'));
  const changed: string[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(CONTROL_TOWER_RULES, file), 'utf8');
    const ascii = asciiRuleText(text);
    if (ascii === undefined) continue;
    changed.push(path.basename(file));
    // With no POSIX class and no \x7F in the original, putting the escapes and dots back gives the original
    // but for brackets (`\w` becomes `[[:word:]]` outside a class).
    expect(text).not.toMatch(/\[:(word|digit|space):\]|\\x7F/);
    const restored = ascii
      .replace(/\[:(word|digit|space):\]/g, (_, name: string) => `\\${name[0]}`)
      .split('[\\x00-\\x09\\x0B-\\x7F]').join('.');
    const withoutBrackets = (lines: string) => lines.replace(/[[\]]/g, '');
    expect(withoutBrackets(restored)).toBe(withoutBrackets(text));
    // Outside brackets, `[:word:]` would be the set of ':', 'w', 'o', 'r' and 'd': each class opens one.
    expect(ascii).not.toMatch(/[^[]\[:(word|digit|space):\]/);
    const lines = text.split('\n');
    expect(ascii.split('\n')).toHaveLength(lines.length);
    // Between the slashes of regular expressions only, and no dot in brackets.
    const withoutLiterals = (line: string) => line.replace(/\/(\\.|[^/\\])*\//g, '/…/');
    ascii.split('\n').forEach((line, index) => {
      if (line !== lines[index]) expect(withoutLiterals(line)).toBe(withoutLiterals(lines[index]));
    });
    expect(ascii).not.toMatch(/\[[^\]/]*\[\\x00-\\x09/);
  }
  expect(changed).toContain('ct-iam-pr-5.guard');
  expect(changed.length).toBeGreaterThan(50);
});

/**
 * The samples of a probe, one per resource: every ASCII character but DEL, which cfn-guard does not read
 * in a template.
 */
const ASCII_SAMPLES = Array.from({ length: 127 }, (_, code) => String.fromCharCode(code));

/** For each rule of a probe, the samples its regular expression does not match, as cfn-guard evaluates it. */
function unmatched(patterns: readonly string[], samples: readonly string[], rewrite: (text: string) => string): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'ascii-rules-'));
  try {
    return unmatchedIn(dir, patterns, samples, rewrite);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function unmatchedIn(dir: string, patterns: readonly string[], samples: readonly string[], rewrite: (text: string) => string): string[] {
  const rules = path.join(dir, 'probe.guard');
  const template = path.join(dir, 'samples.json');
  writeFileSync(rules, rewrite([
    'let samples = Resources.*[ Type == "Probe::Sample::Value" ]',
    ...patterns.map((pattern, index) => `rule pattern_${index} when %samples not empty {\n    %samples.Properties.Value == ${pattern}\n}`),
  ].join('\n')));
  writeFileSync(template, JSON.stringify({
    Resources: Object.fromEntries(samples.map((value, index) => [`S${index}`, { Type: 'Probe::Sample::Value', Properties: { Value: value } }])),
  }));
  const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [rules] });
  const report = validator.validate({ templatePaths: [template], stackTemplates: [] } as any);
  return report.violations.flatMap((violation) => violation.violatingResources.map((resource) =>
    `${violation.ruleName} ${JSON.stringify(samples[Number(resource.resourceLogicalId?.slice(1))])}`)).sort();
}

test('cfn-guard matches each ASCII class with exactly the ASCII characters the Unicode class matches, and not the others', () => {
  // Each class alone, and inside brackets with other characters. cfn-guard compiles a pattern again for
  // every sample, which takes the Unicode classes about 2 ms: this is the slow part of the file.
  const patterns = [...['w', 'd', 's'].flatMap((name) => [`/\\A\\${name}\\z/`, `/\\A[\\${name}\\.-]\\z/`]), '/\\A.\\z/'];
  const rewrite = (text: string) => asciiRuleText(text) ?? text;

  const original = unmatched(patterns, ASCII_SAMPLES, (text) => text);

  expect(unmatched(patterns, ASCII_SAMPLES, rewrite)).toEqual(original);
  // 63 word characters (65 with '.' and '-'), 10 digits, 6 whitespace characters, all but one not a line feed.
  expect(original.filter((finding) => finding.startsWith('pattern_0 '))).toHaveLength(127 - 63);
  expect(original.filter((finding) => finding.startsWith('pattern_1 '))).toHaveLength(127 - 65);
  expect(original.filter((finding) => finding.startsWith('pattern_2 '))).toHaveLength(127 - 10);
  expect(original.filter((finding) => finding.startsWith('pattern_4 '))).toHaveLength(127 - 6);
  expect(original.filter((finding) => finding.startsWith('pattern_6 '))).toEqual(['pattern_6 "\\n"']);
  // Outside ASCII they part: why the ASCII texts run only on templates of ASCII characters.
  const beyond = ['é', 'ß', '٣', '\u00a0'];
  for (const pattern of [patterns[0], patterns[6]]) {
    expect(unmatched([pattern], beyond, rewrite)).not.toEqual(unmatched([pattern], beyond, (text) => text));
  }
});
