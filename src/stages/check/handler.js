'use strict';
// Runs inside the stage's VPC: the only place the service's private address resolves.
// Plain JavaScript with no dependencies so the function ships as-is, without bundling at synth.
const http = require('node:http');

const EXPECTED_BODY = process.env.EXPECTED_BODY;
const ATTEMPTS = Number(process.env.ATTEMPTS || '10');
const DELAY_MS = Number(process.env.DELAY_MS || '6000');

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
exports.handler = async function handler() {
  const url = process.env.SERVICE_URL;
  let last = 'not attempted';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const answer = await get(url, 3000);
      if (answer.status === 200 && answer.body === EXPECTED_BODY) {
        return { ok: true, url, attempt, version: answer.version || 'unknown' };
      }
      last = `HTTP ${answer.status} with body ${JSON.stringify(answer.body.slice(0, 200))}`;
    } catch (error) {
      last = error.message;
    }
    if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
  }
  throw new Error(`${url} did not answer ${JSON.stringify(EXPECTED_BODY)} after ${ATTEMPTS} attempts: ${last}`);
};
