import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The check function's handler, loaded afresh with its settings (it reads them when it loads). */
function loadHandler(env: Record<string, string>): (event: unknown, context?: { getRemainingTimeInMillis(): number }) => Promise<any> {
  Object.assign(process.env, { EXPECTED_BODY: 'Hello CodePipeline.', DELAY_MS: '10', REQUEST_TIMEOUT_MS: '500', ATTEMPTS: '3', ...env });
  let handler: any;
  // The function ships as plain JavaScript that reads its settings once; isolateModules loads it afresh.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  jest.isolateModules(() => { handler = require('../../src/stages/check/handler').handler; });
  return handler;
}

/** A service on loopback that gives `answers` in turn, then keeps giving the last one. */
async function serve(answers: Array<{ status: number; body: string }>): Promise<{ server: Server; url: string; requests: () => number }> {
  let count = 0;
  const server = createServer((_request, response) => {
    const answer = answers[Math.min(count++, answers.length - 1)];
    response.writeHead(answer.status, { 'x-app-version': '0123456789ab' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests: () => count };
}

describe('the post-deploy check function', () => {
  let service: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(() => new Promise<void>((resolve) => (service ? service.server.close(() => resolve()) : resolve())));

  test('passes on the greeting, naming the attempt and the version the app reports', async () => {
    service = await serve([{ status: 503, body: 'starting' }, { status: 200, body: 'Hello CodePipeline.' }]);
    const handler = loadHandler({ SERVICE_URL: service.url });
    await expect(handler({})).resolves.toEqual({ ok: true, url: service.url, attempt: 2, version: '0123456789ab' });
  });

  test('fails after its attempts with the last answer it got', async () => {
    service = await serve([{ status: 500, body: 'broken' }]);
    const handler = loadHandler({ SERVICE_URL: service.url });
    await expect(handler({})).rejects.toThrow(`${service.url} did not answer "Hello CodePipeline." after 3 attempts: HTTP 500 with body "broken"`);
    expect(service.requests()).toBe(3);
  });

  test('stops early, with its reason, when the next attempt could not finish before the function\'s timeout', async () => {
    service = await serve([{ status: 500, body: 'broken' }]);
    const handler = loadHandler({ SERVICE_URL: service.url, ATTEMPTS: '10' });
    // 1.2 s left: one more delay (10 ms), request (500 ms) and the report margin (1 s) would not fit.
    await expect(handler({}, { getRemainingTimeInMillis: () => 1200 })).rejects.toThrow(/after 1 of 10 attempts, stopped before the function's timeout: HTTP 500/);
    expect(service.requests()).toBe(1);
  });

  test('a service that never answers counts as a failed attempt, not a hang', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    try {
      const handler = loadHandler({ SERVICE_URL: url, ATTEMPTS: '1', REQUEST_TIMEOUT_MS: '100' });
      await expect(handler({})).rejects.toThrow('after 1 attempts: no answer within 100 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
