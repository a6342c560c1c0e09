import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const SOURCES = path.join(__dirname, 'stand-ins');
const EXECUTABLES = ['aws', 'docker', 'curl'] as const;

export type StandInTool = typeof EXECUTABLES[number];

export interface StandInCall {
  readonly tool: StandInTool;
  readonly args: readonly string[];
  /** What the call read on stdin, when it reads stdin at all (`docker login --password-stdin`). */
  readonly stdin?: string;
  /** The command line, for messages and substring checks. */
  readonly line: string;
  /** The account whose assumed-role credentials made the call, if any. */
  readonly assumedAccount?: string;
}

/**
 * Fake `aws`, `docker` and `curl` executables in a folder to put first on PATH, plus the state they share:
 * a call log, a fake ECR per region (stand-ins/standin-lib.sh), and the CodeBuild, Lambda, STS and
 * CloudFormation state the aws stand-in answers from.
 */
export class StandIns {
  /** Copies the stand-ins into `root/bin`; executables are installed, not run from the source tree, so no file mode has to survive git. */
  public static install(root: string): StandIns {
    const bin = path.join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    copyFileSync(path.join(SOURCES, 'standin-lib.sh'), path.join(bin, 'standin-lib.sh'));
    for (const tool of EXECUTABLES) {
      const target = path.join(bin, tool);
      copyFileSync(path.join(SOURCES, `${tool}.sh`), target);
      chmodSync(target, 0o755);
    }
    return new StandIns(root, bin);
  }

  private constructor(private readonly root: string, public readonly binDir: string) {
    for (const dir of [this.logDir, this.registryDir, this.dockerDir, this.stateDir]) mkdirSync(dir, { recursive: true });
  }

  private get logDir(): string { return path.join(this.root, 'log'); }
  private get registryDir(): string { return path.join(this.root, 'ecr'); }
  private get dockerDir(): string { return path.join(this.root, 'docker'); }
  private get stateDir(): string { return path.join(this.root, 'state'); }

  /**
   * The variables the stand-ins read their state folders from, plus their switches.
   * `mutableTags` are the repositories' tag-immutability exclusions (ECR wildcards).
   */
  public environment(mutableTags: readonly string[] = []): Record<string, string> {
    return {
      STANDIN_LOG_DIR: this.logDir,
      STANDIN_ECR_DIR: this.registryDir,
      STANDIN_DOCKER_DIR: this.dockerDir,
      STANDIN_STATE_DIR: this.stateDir,
      STANDIN_ECR_MUTABLE_TAGS: mutableTags.join(' '),
    };
  }

  public calls(tool?: StandInTool): StandInCall[] {
    const callsDir = path.join(this.logDir, 'calls');
    if (!existsSync(callsDir)) return [];
    // Each call is <n>.tool, <n>.argv, <n>.credentials and maybe <n>.stdin (stand-ins/standin-lib.sh).
    return readdirSync(callsDir)
      .filter((name) => name.endsWith('.tool'))
      .map((name) => Number(name.slice(0, -'.tool'.length)))
      .sort((a, b) => a - b)
      .map((n) => {
        const record = (part: string) => path.join(callsDir, `${n}.${part}`);
        const recordedTool = readFileSync(record('tool'), 'utf8') as StandInTool;
        const argv = readFileSync(record('argv'), 'utf8');
        const args = argv === '' ? [] : argv.replace(/\0$/, '').split('\0');
        const stdin = existsSync(record('stdin')) ? readFileSync(record('stdin'), 'utf8') : undefined;
        const credentials = readFileSync(record('credentials'), 'utf8');
        const assumedAccount = credentials.startsWith('ASIASTANDIN') ? credentials.slice('ASIASTANDIN'.length) : undefined;
        return { tool: recordedTool, args, stdin, line: [recordedTool, ...args].join(' '), assumedAccount };
      })
      .filter((call) => tool === undefined || call.tool === tool);
  }

  // --- ECR ------------------------------------------------------------------------------------------------

  /** Creates an empty repository, as the release stage does before anything pushes to it. */
  public createRepository(region: string, repository: string): void {
    for (const part of ['manifests', 'media-types', 'tags', 'blobs']) mkdirSync(path.join(this.repositoryDir(region, repository), part), { recursive: true });
  }

  /** The digest a tag names, or undefined. */
  public digestOf(region: string, repository: string, tag: string): string | undefined {
    const file = path.join(this.repositoryDir(region, repository), 'tags', tag);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  /** The exact manifest bytes stored under a digest. */
  public manifest(region: string, repository: string, digest: string): Buffer | undefined {
    const file = path.join(this.repositoryDir(region, repository), 'manifests', digest);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  public hasBlob(region: string, repository: string, digest: string): boolean {
    return existsSync(path.join(this.repositoryDir(region, repository), 'blobs', digest));
  }

  /** Puts an image (one layer, its config and manifest) into a repository, as if pushed earlier; returns its digest. */
  public seedImage(region: string, repository: string, tag: string, content: string, layerBytes = 0): string {
    const dir = this.repositoryDir(region, repository);
    this.createRepository(region, repository);
    const blob = (bytes: string) => {
      const digest = digestOf(bytes);
      writeFileSync(path.join(dir, 'blobs', digest), bytes);
      return { digest, size: Buffer.byteLength(bytes) };
    };
    // A layer of at least `layerBytes`, for copies that must span several upload parts.
    const layer = blob(`layer of ${content}`.padEnd(layerBytes, ` ${content}`));
    const config = blob(JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    });
    const digest = digestOf(manifest);
    writeFileSync(path.join(dir, 'manifests', digest), manifest);
    writeFileSync(path.join(dir, 'media-types', digest), 'application/vnd.docker.distribution.manifest.v2+json');
    writeFileSync(path.join(dir, 'tags', tag), digest);
    return digest;
  }

  // --- CodeBuild, Lambda, STS, CloudFormation ---------------------------------------------------------------

  /** A CodeBuild project and its inline build spec, for `batch-get-projects`. */
  public codeBuildProject(name: string, buildSpec: string): void {
    const dir = path.join(this.stateDir, 'codebuild-projects', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'buildspec'), buildSpec);
  }

  /** What the check function named `functionName` answers, and after how many (simulated) seconds. */
  public lambdaAnswers(functionName: string, payload: object, seconds = 1): void {
    const dir = path.join(this.stateDir, 'lambda', functionName);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'payload'), JSON.stringify(payload));
    writeFileSync(path.join(dir, 'seconds'), String(seconds));
  }

  /** The next `calls` invocations fail as they do on a function Lambda has made Inactive, without running it. */
  public lambdaNotReadyFor(functionName: string, calls: number): void {
    const dir = path.join(this.stateDir, 'lambda', functionName);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'not-ready'), String(calls));
  }

  public invocations(functionName: string): number {
    const file = path.join(this.stateDir, 'lambda', functionName, 'invocations');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  }

  public stack(account: string, region: string, name: string, status: string): void {
    const dir = path.join(this.stateDir, 'cloudformation', account, region, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'status'), status);
  }

  public stackStatus(account: string, region: string, name: string): string | undefined {
    const file = path.join(this.stateDir, 'cloudformation', account, region, name, 'status');
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  public isProtected(account: string, region: string, name: string): boolean {
    return existsSync(path.join(this.stateDir, 'cloudformation', account, region, name, 'protected'));
  }

  /** The account no longer trusts the toolchain (bootstrapped without --trust, say). */
  public distrust(account: string): void {
    mkdirSync(path.join(this.stateDir, 'sts', 'untrusted'), { recursive: true });
    writeFileSync(path.join(this.stateDir, 'sts', 'untrusted', account), '');
  }

  private repositoryDir(region: string, repository: string): string {
    return path.join(this.registryDir, region, repository);
  }
}

function digestOf(bytes: string | Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The value following an option in an argument list, e.g. `optionValue(args, '--data-binary')`. */
export function optionValue(args: readonly string[], option: string): string | undefined {
  const at = args.indexOf(option);
  return at === -1 ? undefined : args[at + 1];
}
