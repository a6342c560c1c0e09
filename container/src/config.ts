export interface Config {
  readonly port: number;
  readonly shutdownTimeoutMs: number;
  readonly drainDelayMs: number;
  readonly drainIdleMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly commitId: string;
  readonly imageTag: string;
}

// The stop after SIGTERM, set against the platform's settings (container/README.md,
// "Graceful shutdown", draws the timeline): ECS deregisters the task from Cloud
// Map as it begins to stop it, but resolvers may hand out the address for the
// record's DNS TTL (10 s) after that; ECS sends SIGKILL when the container's
// stopTimeout (30 s) has passed.
//
// For the TTL, clients may still be sent here and may open connections, so the
// app goes on serving as before (only /healthz fails). Asking clients to leave
// earlier would only send them back to the same address, to be refused once
// the app stops listening, or reset if they are connecting just as it does.
export const DEFAULT_DRAIN_DELAY_MS = 10_000;
// Then the drain: each connection closes after its next response. One that
// stays idle this long is closed by the app: long enough for a request already
// on its way to arrive, and for clients whose pools drop idle connections
// after a few seconds to leave on their own.
export const DEFAULT_DRAIN_IDLE_MS = 5_000;
// Nothing here takes a request body (bodies above 1 KiB are refused), so the
// whole request arrives with its headers, and a client that needs more than a
// few seconds for them is broken or hostile. Both limits keep applying while
// the app drains, so they bound how long a slow client can hold up the stop.
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
// The latest a drain can end on its own: a request begun just before the drain
// (10 s) that takes its time until its limit ends it (+10 s, and Node's 1 s
// checking interval: 21 s). 25 s leaves time to flush the logs after that and
// still 5 s before SIGKILL, so the app always exits with its own code and its
// own last lines.
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;
export const DEFAULT_PORT = 8080;

/**
 * Reads the settings from the environment. A malformed value throws instead of
 * falling back to a default: a typo in the task definition should stop the
 * deployment at the health check, not run with a setting nobody asked for.
 */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', DEFAULT_HEADERS_TIMEOUT_MS, 1, 600_000);
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 1, 600_000);
  // Node refuses this combination when the server is created; saying so here
  // names the settings instead.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be above REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return {
    port: integer(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 1, 600_000),
    drainDelayMs: integer(env, 'DRAIN_DELAY_MS', DEFAULT_DRAIN_DELAY_MS, 0, 600_000),
    drainIdleMs: integer(env, 'DRAIN_IDLE_MS', DEFAULT_DRAIN_IDLE_MS, 1, 600_000),
    headersTimeoutMs,
    requestTimeoutMs,
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
