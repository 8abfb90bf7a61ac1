import { describe, expect, it } from 'vitest';

import { hashRequest } from './idempotency.js';

describe('the request hash of idempotent operations', () => {
  it('does not depend on the order of keys, at any depth', () => {
    const first = hashRequest({
      task: 't',
      machine_id: 'm',
      metadata: { a: 1, b: [1, { y: 2, x: 1 }] },
    });
    const second = hashRequest({
      metadata: { b: [1, { x: 1, y: 2 }], a: 1 },
      machine_id: 'm',
      task: 't',
    });
    expect(first).toBe(second);
  });

  it('tells different bodies apart, including array order and value types', () => {
    expect(hashRequest({ list: [1, 2] })).not.toBe(hashRequest({ list: [2, 1] }));
    expect(hashRequest({ value: 1 })).not.toBe(hashRequest({ value: '1' }));
    expect(hashRequest({ value: null })).not.toBe(hashRequest({}));
  });
});
