#!/usr/bin/env node
// Records a real model provider exchange as test fixtures: a proxy on 127.0.0.1 that forwards
// each request to the provider and writes every answer as {status, headers, body}, the format
// test/support/provider-server.ts replays. Keys are forwarded, never written.
//
//   node scripts/record-provider.mjs --upstream https://api.anthropic.com \
//     --out test/fixtures/anthropic/my-task [--port 8787]
//   ANTHROPIC_BASE_URL=http://127.0.0.1:8787 ANTHROPIC_API_KEY=sk-ant-… deskhand serve
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    upstream: { type: 'string' },
    out: { type: 'string' },
    port: { type: 'string', default: '8787' },
  },
});
if (!values.upstream || !values.out) {
  process.stderr.write('usage: record-provider.mjs --upstream URL --out DIR [--port N]\n');
  process.exit(2);
}
const upstream = values.upstream.replace(/\/+$/, '');
mkdirSync(values.out, { recursive: true });

const keptResponseHeaders = ['retry-after', 'retry-after-ms', 'request-id', 'x-request-id'];
const droppedRequestHeaders = ['host', 'connection', 'content-length', 'accept-encoding'];
let exchange = 0;

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    exchange += 1;
    const number = String(exchange).padStart(2, '0');
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !droppedRequestHeaders.includes(name)),
    );
    try {
      const answer = await fetch(upstream + request.url, {
        method: request.method,
        headers,
        body: request.method === 'GET' ? undefined : Buffer.concat(chunks),
      });
      const text = await answer.text();
      const kept = Object.fromEntries(
        keptResponseHeaders
          .filter((name) => answer.headers.has(name))
          .map((name) => [name, answer.headers.get(name)]),
      );
      const keys = [
        headers['x-api-key'],
        String(headers.authorization ?? '').replace(/^Bearer /, ''),
      ].filter((key) => typeof key === 'string' && key.length >= 8);
      const scrubbed = keys.reduce((body, key) => body.split(key).join('[redacted]'), text);
      const fixture = { status: answer.status, headers: kept, body: JSON.parse(scrubbed) };
      writeFileSync(join(values.out, `${number}.json`), JSON.stringify(fixture, null, 2) + '\n');
      process.stderr.write(
        `recorded ${number}: ${request.method} ${request.url} → ${answer.status}\n`,
      );
      response.writeHead(answer.status, { 'content-type': 'application/json', ...kept });
      response.end(text);
    } catch (error) {
      process.stderr.write(`exchange ${number} failed: ${error}\n`);
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'the recording proxy failed' } }));
    }
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stderr.write(`recording ${upstream} on http://127.0.0.1:${values.port}\n`);
});
