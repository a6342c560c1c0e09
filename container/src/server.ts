import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './config';
import type { Logger } from './log';

export const GREETING = 'Hello CodePipeline.';

/**
 * No route reads a body. A small one (a form field, an empty JSON object) is
 * read and discarded so the connection can carry the next request; anything
 * larger is refused before it is read, with 413, and the connection closed.
 */
export const MAX_BODY_BYTES = 1024;

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
  headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
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
  /** For `Expect: 100-continue`: refuses a body that is too large before the client sends it. */
  readonly checkContinue: http.RequestListener;
  /** For any other `Expect`: 417, in the app's own shape. */
  readonly checkExpectation: http.RequestListener;
  /** True from SIGTERM on: /healthz answers 503. */
  readonly stopping: boolean;
  /** True once the drain has begun: every connection closes after its current response. */
  readonly draining: boolean;
  /** On SIGTERM: health checks fail, and nothing else changes yet. */
  markStopping(): void;
  /** Stopping, and every connection closes after its current response. */
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
// RFC 9112 §3.2.2: a server must accept the absolute form (what a client sends
// to a proxy) and route it by its path.
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

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

/** The path of a request target, without its query; origin-form is the usual case and costs one comparison. */
function targetPath(url: string): string {
  if (url.charCodeAt(0) !== 0x2f /* / */) {
    const authority = ABSOLUTE_FORM.exec(url);
    // Anything else (OPTIONS *, a CONNECT authority) is no route of ours:
    // it falls through to 404 and is logged as sent.
    if (authority === null) return url;
    url = url.slice(authority[0].length);
    if (url.charCodeAt(0) !== 0x2f) url = `/${url}`;
  }
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function createApp(options: AppOptions): App {
  let stopping = false;
  let draining = false;
  const text = (status: number, body: string, extra?: http.OutgoingHttpHeaders): Reply =>
    reply(status, TEXT, body, options.imageTag, extra);
  const hello = text(200, GREETING);
  const healthy = text(200, 'ok');
  const unhealthy = text(503, 'stopping');
  const badRequest = text(400, 'Bad Request');
  const notFound = text(404, 'Not Found');
  const notAllowed = text(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  const tooLarge = text(413, 'Content Too Large');
  const expectationFailed = text(417, 'Expectation Failed');
  const version = reply(
    200,
    'application/json; charset=utf-8',
    JSON.stringify({ commit: options.commitId, imageTag: options.imageTag }),
    options.imageTag,
  );
  const routes = new Map<string, () => Reply>([
    ['/', () => hello],
    ['/healthz', () => (stopping ? unhealthy : healthy)],
    ['/version', () => version],
  ]);

  const send = (req: http.IncomingMessage, res: http.ServerResponse, started: number, path: string, answer: Reply, close: boolean): void => {
    // While draining, closing each connection after its response is what lets
    // the drain finish without cutting off a request already on its way.
    res.writeHead(answer.status, close || draining ? answer.closingHeaders : answer.headers);
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

  const route = (req: http.IncomingMessage, path: string): Reply => {
    const found = routes.get(path);
    if (found === undefined) return notFound;
    if (req.method !== 'GET' && req.method !== 'HEAD') return notAllowed;
    return found();
  };

  /** Declares more body than the app accepts; a chunked body's length is not known yet. */
  const declaresTooMuch = (req: http.IncomingMessage): boolean => {
    const length = req.headers['content-length'];
    return length !== undefined && Number(length) > MAX_BODY_BYTES;
  };

  // A chunked body announces no length: it is read and counted, and refused as
  // soon as it passes the limit instead of after it has all arrived.
  const afterChunkedBody = (req: http.IncomingMessage, res: http.ServerResponse, started: number, path: string): void => {
    let received = 0;
    let answered = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (!answered && received > MAX_BODY_BYTES) {
        answered = true;
        send(req, res, started, path, tooLarge, true);
      }
    });
    req.on('end', () => {
      if (answered) return;
      answered = true;
      send(req, res, started, path, route(req, path), false);
    });
  };

  const handle: http.RequestListener = (req, res) => {
    const started = performance.now();
    const path = targetPath(req.url ?? '/');
    const headers = req.headers;
    // Node's own check answers without the app's headers and without a log
    // line, so it is turned off (requireHostHeader) and done here instead.
    if (headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
      send(req, res, started, path, badRequest, true);
    } else if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      send(req, res, started, path, route(req, path), false);
    } else if (declaresTooMuch(req)) {
      send(req, res, started, path, tooLarge, true);
    } else if (headers['transfer-encoding'] !== undefined) {
      afterChunkedBody(req, res, started, path);
    } else {
      // A small body: Node reads and discards it after the response.
      send(req, res, started, path, route(req, path), false);
    }
  };

  return {
    handle,
    checkContinue: (req, res) => {
      const started = performance.now();
      if (declaresTooMuch(req)) {
        send(req, res, started, targetPath(req.url ?? '/'), tooLarge, true);
        return;
      }
      res.writeContinue();
      handle(req, res);
    },
    checkExpectation: (req, res) => {
      // Closed: the client may be about to send a body nobody will read.
      send(req, res, performance.now(), targetPath(req.url ?? '/'), expectationFailed, true);
    },
    markStopping: () => {
      stopping = true;
    },
    startDraining: () => {
      stopping = true;
      draining = true;
    },
    get stopping() {
      return stopping;
    },
    get draining() {
      return draining;
    },
  };
}

// The open connections of each server, for the drain; a WeakMap so that a
// server that is gone takes its set with it.
const connectionsOf = new WeakMap<http.Server, Set<net.Socket>>();

export function createServer(app: App, options: AppOptions, limits: Limits = DEFAULT_LIMITS): http.Server {
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      requireHostHeader: false,
    },
    app.handle,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('checkContinue', app.checkContinue);
  server.on('checkExpectation', app.checkExpectation);

  const connections = new Set<net.Socket>();
  connectionsOf.set(server, connections);
  server.on('connection', (socket: net.Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  // A listener here replaces Node's built-in reply to unparsable input, so it has
  // to do the same job: answer with the right status when that is safe, then drop
  // the connection. It must never throw.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? 400;
    if (err.code !== 'ECONNRESET' && socket.writable && !responding(socket)) {
      options.logger.clientError(err.code ?? 'unknown', status);
      socket.write(rawResponse(status, options.imageTag));
    }
    socket.destroy();
  });

  // Without a listener Node drops a CONNECT request's connection without a
  // word; it is a method like any other the app does not allow.
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    if (socket.writable) socket.write(rawResponse(405, options.imageTag, 'allow: GET, HEAD\r\n'));
    const path = req.url ?? '';
    options.logger.request(req.method ?? '', path.length > MAX_LOGGED_PATH ? path.slice(0, MAX_LOGGED_PATH) : path, 405, 0);
    socket.destroy();
  });
  return server;
}

/** How many connections the server still has open. */
export function openConnections(server: http.Server): number {
  return connectionsOf.get(server)?.size ?? 0;
}

/**
 * Stops the server without failing a request that is already on its way, and
 * resolves once its last connection has closed:
 *
 * - it stops accepting connections;
 * - every response from now on carries `connection: close`, and the
 *   connection closes after it, so clients leave on their own;
 * - a connection that stays idle for `idleMs` is closed by the server; until
 *   then its client can still send one more request on it;
 * - the header and request limits keep applying throughout.
 *
 * http.Server.close() does not fit: it destroys idle keep-alive connections at
 * once, which resets those whose client has just sent a request the server has
 * not read yet, and it stops the timer that enforces headersTimeout and
 * requestTimeout (Node 20 and 24 alike), so a slow client could hold the drain
 * until the shutdown deadline. net.Server's close() only stops listening.
 */
export function drain(server: http.Server, app: App, idleMs: number): Promise<void> {
  app.startDraining();
  return new Promise<void>((resolve) => {
    // The callback runs when the last connection has closed (with an error if
    // the server was not listening, which changes nothing here).
    net.Server.prototype.close.call(server, () => resolve());
    // An inactivity timeout, which Node's server answers by closing the socket.
    // When a request begins on an idle connection Node clears it, and the
    // response closes that connection instead.
    for (const socket of connectionsOf.get(server) ?? []) socket.setTimeout(idleMs);
  });
}

// The same statuses Node's own handler sends; anything else is a 400.
const CLIENT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

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

/** An error reply written straight to the socket, with the headers of every other response. */
function rawResponse(status: number, imageTag: string, extraHeaders = ''): string {
  const body = http.STATUS_CODES[status] ?? 'Error';
  return (
    `HTTP/1.1 ${status} ${body}\r\n` +
    'connection: close\r\n' +
    `content-type: ${TEXT}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'cache-control: no-store\r\n' +
    `x-app-version: ${imageTag}\r\n` +
    extraHeaders +
    '\r\n' +
    body
  );
}
