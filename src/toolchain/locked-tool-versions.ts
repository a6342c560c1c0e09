import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const LOCK_FILE = path.join(__dirname, '..', '..', 'package-lock.json');

/**
 * The exact CDK CLI and cdk-assets versions this project installed, read from its lock file, so the
 * pipeline synthesizes, mutates itself and publishes assets with the tools the tests ran against
 * (CDK Pipelines would otherwise take the newest CLI on npm at run time).
 */
export function lockedToolVersions(lockFile: string = LOCK_FILE): { cdkCli: string; cdkAssets: string } {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages?: Record<string, { version?: string }> };
  const version = (name: string) => {
    const found = lock.packages?.[`node_modules/${name}`]?.version;
    if (!found) throw new Error(`${name} is not in ${lockFile}: add it to devDeps in .projenrc.ts and run npx projen`);
    return found;
  };
  return { cdkCli: version('aws-cdk'), cdkAssets: version('cdk-assets') };
}
