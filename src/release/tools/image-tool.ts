import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `image-tool` (image-tool.sh beside this file): what the release does with images in ECR, by digest,
 * with the AWS CLI only. The image build, the copy and mark-live actions of the app pipeline and the
 * meta-pipeline's seed step all run it, so each does the same thing the same way, and the rehearsal tests
 * run the very same script against stand-in `aws` and `curl`.
 *
 * Why bytes and not docker: an image's digest is the sha256 of its manifest. `docker pull` and `push` to
 * another registry re-compress the layers when the daemon keeps the classic image store, and the copy gets
 * another digest. Copying the manifest and the blobs as they are keeps it, so every stage runs the very
 * image the stage before it tested (docs/adr/0005-one-release-promoted-through-the-stages.md).
 */
export const IMAGE_TOOL_SCRIPT = readFileSync(path.join(__dirname, 'image-tool.sh'), 'utf8');

/**
 * The build spec command that writes the tool to a file and sets `IMAGE_TOOL` to its path. Later commands
 * of the build run `bash "$IMAGE_TOOL" …`: CodeBuild carries variables from one command to the next,
 * not shell functions.
 */
export function installImageToolCommand(): string {
  return `IMAGE_TOOL="$(mktemp -d)/image-tool.sh"; cat > "$IMAGE_TOOL" <<'IMAGE_TOOL_SCRIPT'\n${IMAGE_TOOL_SCRIPT}IMAGE_TOOL_SCRIPT`;
}
