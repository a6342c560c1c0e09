'use strict';
// Runs inside the stage's VPC: the only place the service's private address resolves.
// Plain JavaScript with no dependencies so the function ships as-is, without bundling at synth.
const http = require('node:http');

const EXPECTED_BODY = process.env.EXPECTED_BODY;
const ATTEMPTS = Number(process.env.ATTEMPTS || '10');
const DELAY_MS = Number(process.env.DELAY_MS || '6000');
const REQUEST_TIMEOUT_MS = Number(process.env.REQUEST_TIMEOUT_MS || '3000');
// Kept back from the function's timeout to return the last reason: a timed-out invocation says only "Task timed out".
const REPORT_MARGIN_MS = 1000;

function get(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body, version: response.headers['x-app-version'] }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/** Asks the service for its greeting, retrying while tasks start; throws so the caller's step fails. */
exports.handler = async function handler(_event, context) {
  const url = process.env.SERVICE_URL;
  const remaining = () => (context && typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity);
  let last = 'not attempted';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const answer = await get(url, REQUEST_TIMEOUT_MS);
      if (answer.status === 200 && answer.body === EXPECTED_BODY) {
        return { ok: true, url, attempt, version: answer.version || 'unknown' };
      }
      last = `HTTP ${answer.status} with body ${JSON.stringify(answer.body.slice(0, 200))}`;
    } catch (error) {
      last = error.message;
    }
    if (attempt === ATTEMPTS) break;
    if (remaining() < DELAY_MS + REQUEST_TIMEOUT_MS + REPORT_MARGIN_MS) {
      throw new Error(`${url} did not answer ${JSON.stringify(EXPECTED_BODY)} after ${attempt} of ${ATTEMPTS} attempts, `
        + `stopped before the function's timeout: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
  }
  throw new Error(`${url} did not answer ${JSON.stringify(EXPECTED_BODY)} after ${ATTEMPTS} attempts: ${last}`);
};
