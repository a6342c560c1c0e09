const t0 = performance.now();
const lap = (label: string, since: number) => { const now = performance.now(); console.log(`${label.padEnd(40)} ${((now - since) / 1000).toFixed(2)} s`); return now; };
let t = t0;
const cdk = require('aws-cdk-lib'); t = lap('require aws-cdk-lib', t);
require('aws-cdk-lib/pipelines'); require('aws-cdk-lib/aws-ecs'); require('aws-cdk-lib/aws-ec2'); t = lap('require pipelines/ecs/ec2', t);
const { Validations } = cdk;
const orig = Validations.prototype.addPlugins;
const { buildPlatform } = require('/work/main/src/platform-app'); t = lap('require platform-app (+cdk-nag etc)', t);
const { synthesizeWithGate } = require('/work/main/src/compliance/run-gate');
const { parseConfig, EXAMPLE_CONFIG } = require('/work/main/src/config');
const { CDK_JSON_CONTEXT } = require('/work/main/test/support/synth-app');
const fs = require('fs');
const outdir = fs.mkdtempSync('/tmp/prof/out-');
const app = new cdk.App({ outdir, context: CDK_JSON_CONTEXT });
// time each plugin
const timings: Record<string, number> = {};
const addPlugins = Validations.prototype.addPlugins;
Validations.prototype.addPlugins = function (...plugins: any[]) {
  for (const p of plugins) {
    const v = p.validate.bind(p);
    p.validate = (ctx: any) => { const s = performance.now(); try { return v(ctx); } finally { timings[p.name] = (timings[p.name] ?? 0) + performance.now() - s; } };
  }
  return addPlugins.apply(this, plugins);
};
t = lap('setup', t);
const config = parseConfig(EXAMPLE_CONFIG, 'x');
buildPlatform(app, config); t = lap('buildPlatform (constructs + stage synth)', t);
app.synth(); t = lap('app.synth (incl. plugins)', t);
const { writeComplianceReports } = require('/work/main/src/compliance/report/write-reports');
const r = writeComplianceReports(outdir, {}); t = lap('writeComplianceReports', t);
const g = { passed: r.passed };
for (const [k, v] of Object.entries(timings)) console.log(`   plugin ${k.padEnd(30)} ${(v / 1000).toFixed(2)} s`);
console.log('passed', g.passed, 'total', ((performance.now() - t0) / 1000).toFixed(2));
