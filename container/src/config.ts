export interface Config {
  readonly port: number;
  readonly shutdownTimeoutMs: number;
  readonly commitId: string;
  readonly imageTag: string;
}

// ECS sends SIGKILL 30 s (its default stopTimeout) after SIGTERM, so the app
// must give up on slow clients well before that to log and exit on its own.
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
export const DEFAULT_PORT = 8080;

/**
 * Reads the settings from the environment. A malformed value throws instead of
 * falling back to a default: a typo in the task definition should stop the
 * deployment at the health check, not run with a setting nobody asked for.
 */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  return {
    port: integer(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 1, 600_000),
    commitId: label(env.APP_COMMIT_ID),
    imageTag: label(env.APP_IMAGE_TAG),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

// The image tag is echoed in a header on every response; a character that is
// not allowed in a header value would make every response throw, so such
// characters are dropped here, once, rather than trusted.
function label(raw: string | undefined): string {
  const cleaned = (raw ?? '').replace(/[^\x21-\x7e]/g, '').slice(0, 128);
  return cleaned === '' ? 'unknown' : cleaned;
}
