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
}

/**
 * Fake `aws`, `docker` and `curl` executables in a folder to put first on PATH, plus the state they share:
 * a call log and a fake ECR registry (files per repository and tag).
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
    for (const dir of [this.logDir, this.registryDir, this.dockerDir]) mkdirSync(dir, { recursive: true });
  }

  private get logDir(): string { return path.join(this.root, 'log'); }
  private get registryDir(): string { return path.join(this.root, 'ecr'); }
  private get dockerDir(): string { return path.join(this.root, 'docker'); }

  /**
   * The variables the stand-ins read their state folders from, plus their switches.
   * `mutableTags` are the repository's tag-immutability exclusions (ECR wildcards).
   */
  public environment(mutableTags: readonly string[] = []): Record<string, string> {
    return {
      STANDIN_LOG_DIR: this.logDir,
      STANDIN_ECR_DIR: this.registryDir,
      STANDIN_DOCKER_DIR: this.dockerDir,
      STANDIN_ECR_MUTABLE_TAGS: mutableTags.join(' '),
    };
  }

  public calls(tool?: StandInTool): StandInCall[] {
    const callsDir = path.join(this.logDir, 'calls');
    if (!existsSync(callsDir)) return [];
    return readdirSync(callsDir)
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => {
        const dir = path.join(callsDir, String(n));
        const recordedTool = readFileSync(path.join(dir, 'tool'), 'utf8') as StandInTool;
        const argv = readFileSync(path.join(dir, 'argv'), 'utf8');
        const args = argv === '' ? [] : argv.replace(/\0$/, '').split('\0');
        const stdinFile = path.join(dir, 'stdin');
        const stdin = existsSync(stdinFile) ? readFileSync(stdinFile, 'utf8') : undefined;
        return { tool: recordedTool, args, stdin, line: [recordedTool, ...args].join(' ') };
      })
      .filter((call) => tool === undefined || call.tool === tool);
  }

  /** Puts an image into the fake registry, as if pushed earlier. */
  public seedImage(repository: string, tag: string, manifest: string, mediaType = 'application/vnd.docker.distribution.manifest.v2+json'): void {
    const dir = path.join(this.registryDir, repository);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${tag}.manifest`), manifest);
    writeFileSync(path.join(dir, `${tag}.media-type`), mediaType);
  }

  /** The exact manifest bytes a tag names in the fake registry. */
  public manifest(repository: string, tag: string): Buffer | undefined {
    const file = path.join(this.registryDir, repository, `${tag}.manifest`);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  /** The digest ECR would report for a tag: the sha256 of its manifest bytes. */
  public digest(repository: string, tag: string): string | undefined {
    const manifest = this.manifest(repository, tag);
    return manifest && digestOf(manifest);
  }
}

function digestOf(manifest: string | Buffer): string {
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
}

/** The value following an option in an argument list, e.g. `optionValue(args, '--data-binary')`. */
export function optionValue(args: readonly string[], option: string): string | undefined {
  const at = args.indexOf(option);
  return at === -1 ? undefined : args[at + 1];
}
