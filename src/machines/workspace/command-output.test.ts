import { describe, expect, it } from 'vitest';

import { BoundedBytes, CommandOutput } from './command-output.js';

const marker = (token: string, code: number) => `\n__deskhand_done_${token}:${code}\n`;

describe('CommandOutput', () => {
  it('finds a marker split across chunks, byte by byte', () => {
    const stream = Buffer.from(`héllo${marker('abc', 7)}after`);
    const output = new CommandOutput('abc', 1024);

    let end;
    for (const byte of stream) {
      end ??= output.push(Buffer.from([byte]));
    }

    expect(end?.output.toString()).toBe('héllo');
    expect(end?.exitCode).toBe(7);
  });

  it('hands back what follows the marker in the same chunk', () => {
    const output = new CommandOutput('abc', 1024);

    const end = output.push(Buffer.from(`x${marker('abc', 0)}background`));

    expect(end?.rest.toString()).toBe('background');
  });

  it('ignores a marker of another command', () => {
    const output = new CommandOutput('abc', 1024);

    expect(output.push(Buffer.from(marker('other', 0)))).toBeUndefined();
  });

  it('cuts output at the limit and still finds the marker far behind it', () => {
    const output = new CommandOutput('abc', 10);

    output.push(Buffer.from('a'.repeat(5000)));
    const end = output.push(Buffer.from(`tail${marker('abc', 1)}`));

    expect(end).toMatchObject({ truncated: true, exitCode: 1 });
    expect(end?.output.toString()).toBe('a'.repeat(10));
  });
});

describe('BoundedBytes', () => {
  it('keeps the first bytes up to its limit and reports the rest as truncated', () => {
    const bytes = new BoundedBytes(4);

    bytes.push(Buffer.from('abc'));
    bytes.push(Buffer.from('def'));

    expect(bytes.take()).toEqual({ bytes: Buffer.from('abcd'), truncated: true });
  });
});
