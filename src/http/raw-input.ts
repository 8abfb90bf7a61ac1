import type { Socket } from 'node:net';

import { AppError } from '../errors/index.js';
import { errorEnvelope } from './error-reply.js';

const maxDepth = 64;

/** Whether any string in `value` holds U+0000; refuses values nested deeper than `maxDepth`. */
export function holdsNul(root: unknown): boolean {
  const pending: Array<[unknown, number]> = [[root, 0]];
  for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
    const [value, depth] = entry;
    if (typeof value === 'string' && value.includes('\u0000')) {
      return true;
    }
    if (value === null || typeof value !== 'object') {
      continue;
    }
    if (depth >= maxDepth) {
      throw new AppError('VALIDATION_ERROR', `Values may be nested at most ${maxDepth} deep.`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) {
        return true;
      }
      pending.push([item, depth + 1]);
    }
  }
  return false;
}

/** Requests Node's parser refuses (oversized headers, malformed lines) get the envelope too. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    errorEnvelope(
      new AppError(
        'VALIDATION_ERROR',
        tooLarge ? 'Request headers are too large.' : 'Malformed HTTP request.',
      ),
      'req_unparsed',
      false,
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/json\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
