import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { CONTAINER_DIR } from './helpers';

// No Docker engine runs these tests, so the Dockerfile is held to its rules
// by reading it.
const dockerfile = DockerfileParser.parse(readFileSync(path.join(CONTAINER_DIR, 'Dockerfile'), 'utf8'));
const dockerignore = readFileSync(path.join(CONTAINER_DIR, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

function stages(): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

const finalStage = stages().at(-1) ?? [];
const inFinal = (keyword: string) => finalStage.filter((i) => i.getKeyword() === keyword);

// Node's LTS lines still maintained, with the day each reaches its end of
// life. A line that is not here, or whose day has passed, fails the test: the
// image must move on before its Node stops getting security fixes.
const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  24: '2028-04-30',
  26: '2029-04-30',
};

describe('Dockerfile', () => {
  test('every stage starts from the same fully pinned image of a maintained Node LTS on ECR Public', () => {
    const froms = dockerfile.getFROMs();
    assert.ok(froms.length >= 2, 'expected a build stage and a runtime stage');
    for (const from of froms) {
      assert.equal(from.getRegistry(), 'public.ecr.aws');
      assert.equal(from.getImageName(), 'docker/library/node');
      // Major-only tags (24-alpine) and latest move under the same name; a full
      // version with the Alpine release does not.
      const tag = from.getImageTag() ?? '';
      assert.match(tag, /^\d+\.\d+\.\d+-alpine\d+\.\d+$/);
      const major = Number(tag.split('.')[0]);
      const endOfLife = NODE_END_OF_LIFE[major];
      assert.ok(endOfLife !== undefined, `Node ${major} is not a maintained LTS line`);
      assert.ok(new Date().toISOString().slice(0, 10) <= endOfLife, `Node ${major} reached its end of life on ${endOfLife}`);
      const digest = from.getImageDigest();
      if (digest !== null) assert.match(digest, /^sha256:[0-9a-f]{64}$/);
      assert.equal(from.getImage(), froms[0]!.getImage(), 'stages use different base images');
      assert.equal(from.getPlatformFlag(), null, 'the architecture follows the build host');
    }
  });

  test('package.json asks for the same Node major as the image, types included', () => {
    const major = (dockerfile.getFROMs()[0]!.getImageTag() ?? '').split('.')[0];
    const pkg = JSON.parse(readFileSync(path.join(CONTAINER_DIR, 'package.json'), 'utf8')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    assert.equal(pkg.engines.node, `>=${major}`);
    assert.match(pkg.devDependencies['@types/node'] ?? '', new RegExp(`^\\^${major}\\.`));
  });

  test('the runtime stage runs as a non-root user', () => {
    const users = inFinal('USER');
    assert.ok(users.length > 0, 'no USER in the final stage');
    const user = users.at(-1)!.getArgumentsContent() ?? '';
    assert.ok(!/^(root|0)(:|$)/.test(user), `final USER is ${user}`);
  });

  test('the runtime stage exposes 8080 and starts node directly, in exec form', () => {
    assert.deepEqual(inFinal('EXPOSE').map((i) => i.getArgumentsContent()), ['8080']);
    const cmds = dockerfile.getCMDs();
    assert.equal(cmds.length, 1);
    assert.deepEqual(cmds[0]!.getJSONStrings().map((s) => s.getJSONValue()), ['node', 'dist/src/main.js']);
    assert.equal(dockerfile.getENTRYPOINTs().length, 0);
  });

  test('the runtime stage copies only the compiled app, its production dependencies and package.json', () => {
    const allowed = new Set(['/app/package.json', '/app/node_modules', '/app/dist/src']);
    const copies = finalStage.filter((i): i is Copy => i instanceof Copy);
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      assert.equal(copy.getFromFlag()?.getValue(), 'build');
      const sources = copy.getArguments().slice(0, -1).map((a) => a.getValue());
      for (const source of sources) assert.ok(allowed.has(source), `copies ${source} into the image`);
    }
    assert.equal(inFinal('RUN').length, 0, 'the runtime stage should add no layers of its own making');
  });

  test('the build identity is baked in, NODE_ENV is production, and nothing looks like a secret', () => {
    const envs = new Map<string, string | null>();
    for (const env of dockerfile.getENVs()) for (const p of env.getProperties()) envs.set(p.getName(), p.getValue());
    const args = dockerfile.getARGs().map((a) => a.getProperty()?.getName() ?? '');
    assert.equal(envs.get('NODE_ENV'), 'production');
    assert.ok(args.includes('APP_COMMIT_ID') && args.includes('APP_IMAGE_TAG'));
    assert.ok(envs.has('APP_COMMIT_ID') && envs.has('APP_IMAGE_TAG'));
    for (const name of [...args, ...envs.keys()]) assert.doesNotMatch(name, /SECRET|PASSWORD|TOKEN|KEY/i);
  });

  test('no HEALTHCHECK: the ECS task definition owns the health check', () => {
    assert.equal(dockerfile.getHEALTHCHECKs().length, 0);
  });
});

describe('.dockerignore', () => {
  test('keeps dependencies, build output, tests and local files out of the build context', () => {
    for (const pattern of ['node_modules', 'dist', 'test', '.git', '*.log', '.env*']) {
      assert.ok(dockerignore.includes(pattern), `missing ${pattern}`);
    }
  });

  test('keeps what the build needs', () => {
    for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'src']) {
      assert.ok(!dockerignore.includes(needed), `${needed} is excluded but the build needs it`);
    }
  });
});
