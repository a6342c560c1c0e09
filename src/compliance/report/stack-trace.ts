import * as path from 'path';
import { fileURLToPath } from 'url';

export interface SourceLocation {
  /** Relative to the repository root, '/'-separated. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

// aws-cdk-lib writes frames as `fn (/abs/file.ts:12:3)`, sometimes with a leading
// `at`, and ESM frames as file:// URLs; `...node internals...` lines have no location.
const FRAME = /(?:^|[\s(])((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

/**
 * The innermost frame in the project's own sources, so a finding points at the
 * line a developer wrote rather than at library code or the app entry point.
 */
export function projectSourceLocation(
  traces: readonly string[],
  repoRoot: string,
  sourceDirs: readonly string[] = ['src'],
): SourceLocation | undefined {
  for (const trace of traces) {
    for (const frame of trace.split('\n')) {
      const location = parseFrame(frame, repoRoot);
      if (location && sourceDirs.some(dir => location.file.startsWith(`${dir}/`))) {
        return location;
      }
    }
  }
  return undefined;
}

function parseFrame(frame: string, repoRoot: string): SourceLocation | undefined {
  const match = FRAME.exec(frame);
  if (!match) {
    return undefined;
  }
  const [, rawFile, line, column] = match;
  const file = rawFile.startsWith('file://') ? fileURLToPath(rawFile) : rawFile;
  const relative = path.relative(repoRoot, path.resolve(repoRoot, file)).split(path.sep).join('/');
  return relative.startsWith('../') ? undefined : { file: relative, line: Number(line), column: Number(column) };
}
