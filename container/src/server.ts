import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from './log';

export const GREETING = 'Hello CodePipeline.';

export interface AppOptions {
  readonly commitId: string;
  readonly imageTag: string;
  readonly logger: Logger;
}

export interface Limits {
  readonly maxHeaderSize: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connectionsCheckingIntervalMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxHeaderSize: 16 * 1024,
  // Nothing here takes a request body, so a client that needs more than a few
  // seconds to send its headers is broken or hostile.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  // Above the load balancer's default 60 s idle timeout, so the balancer is
  // always the side that closes an idle connection; the other way round it can
  // send a request on a socket the app is closing and answer the user with 502.
  keepAliveTimeoutMs: 65_000,
  // Node only checks the two timeouts above on this interval (30 s by default),
  // which would let a slow client hold a socket far longer than intended.
  connectionsCheckingIntervalMs: 1_000,
};

export interface App {
  readonly handle: http.RequestListener;
  readonly draining: boolean;
  /** Called once on SIGTERM: health checks fail and every connection closes after its current response. */
  startDraining(): void;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  // Built once, not per request: the same for every response, and each object
  // allocated per request adds to the garbage the benchmark measured.
  readonly headers: Readonly<http.OutgoingHttpHeaders>;
  /** The same plus connection: close, for use while draining. */
  readonly closingHeaders: Readonly<http.OutgoingHttpHeaders>;
}

const TEXT = 'text/plain; charset=utf-8';
// The path is the only client-chosen text that reaches the logs; a cap keeps a
// 16 KiB URL from turning into a 16 KiB log line.
const MAX_LOGGED_PATH = 256;

function reply(status: number, type: string, body: string, imageTag: string, extra: http.OutgoingHttpHeaders = {}): Reply {
  const headers = {
    'content-type': type,
    // Node drops the body itself for HEAD but keeps content-length, as HEAD requires.
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-app-version': imageTag,
    ...extra,
  };
  return { status, body, headers: Object.freeze(headers), closingHeaders: Object.freeze({ ...headers, connection: 'close' }) };
}

export function createApp(options: AppOptions): App {
  let draining = false;
  const text = (status: number, body: string, extra?: http.OutgoingHttpHeaders): Reply =>
    reply(status, TEXT, body, options.imageTag, extra);
  const hello = text(200, GREETING);
  const healthy = text(200, 'ok');
  const unhealthy = text(503, 'draining');
  const notFound = text(404, 'Not Found');
  const notAllowed = text(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  const version = reply(
    200,
    'application/json; charset=utf-8',
    JSON.stringify({ commit: options.commitId, imageTag: options.imageTag }),
    options.imageTag,
  );
  const routes = new Map<string, () => Reply>([
    ['/', () => hello],
    ['/healthz', () => (draining ? unhealthy : healthy)],
    ['/version', () => version],
  ]);

  const handle: http.RequestListener = (req, res) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const route = routes.get(path);
    let answer: Reply;
    if (route === undefined) answer = notFound;
    else if (req.method !== 'GET' && req.method !== 'HEAD') answer = notAllowed;
    else answer = route();
    // While draining, closing each connection after its response is what lets
    // server.close() finish: idle keep-alive sockets would otherwise stay open.
    res.writeHead(answer.status, draining ? answer.closingHeaders : answer.headers);
    res.end(answer.body);
    // Every route answers at once, so the response is complete here. Logging
    // now rather than on the response's 'close' event saves a listener and an
    // event per request, which the benchmark showed as a measurable cost.
    options.logger.request(
      req.method ?? '',
      path.length > MAX_LOGGED_PATH ? path.slice(0, MAX_LOGGED_PATH) : path,
      answer.status,
      Math.round((performance.now() - started) * 1000) / 1000,
    );
  };

  return {
    handle,
    startDraining: () => {
      draining = true;
    },
    get draining() {
      return draining;
    },
  };
}

export function createServer(app: App, options: AppOptions, limits: Limits = DEFAULT_LIMITS): http.Server {
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    },
    app.handle,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;

  // A listener here replaces Node's built-in reply to unparsable input, so it has
  // to do the same job: answer with the right status when that is safe, then drop
  // the connection. It must never throw.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    if (err.code !== 'ECONNRESET' && socket.writable && !responding(socket)) {
      options.logger.clientError(err.code ?? 'unknown', status);
      socket.write(rawResponse(status, options.imageTag));
    }
    socket.destroy();
  });
  return server;
}

/**
 * True while a response on this socket has begun and not finished (pipelined
 * requests): a raw error reply written now would land inside it, or be taken
 * as the answer to a request still queued. Node's own clientError handler
 * makes this same check on the same field; there is no public API for it, and
 * were the field ever gone this returns false and the reply is always sent.
 */
function responding(socket: Duplex): boolean {
  const current = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  return current?.headersSent === true;
}

function rawResponse(status: number, imageTag: string): string {
  const body = http.STATUS_CODES[status] ?? 'Error';
  return (
    `HTTP/1.1 ${status} ${body}\r\n` +
    'connection: close\r\n' +
    `content-type: ${TEXT}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-app-version: ${imageTag}\r\n` +
    '\r\n' +
    body
  );
}
