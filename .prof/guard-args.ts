import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
const DIR = 'node_modules/@cdklabs/cdk-validator-cfnguard/rules/control-tower/cfn-guard';
const files = (d: string): string[] => readdirSync(d).flatMap((e) => { const f = path.join(d, e); return statSync(f).isDirectory() ? files(f) : f.endsWith('.guard') ? [f] : []; });
const templates = process.argv.slice(2);
const present = new Set(templates.flatMap((t) => Object.values<any>(JSON.parse(readFileSync(t, 'utf8')).Resources ?? {}).map((r) => r.Type)));
const rules = files(DIR).filter((f) => (readFileSync(f, 'utf8').match(/AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g) ?? []).some((t) => present.has(t)));
console.log(rules.join('\n'));
