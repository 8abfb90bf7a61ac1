import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MachineWorkspace } from './machine-workspace.js';

let root: string;
let home: string;
let outside: string;
let workspace: MachineWorkspace;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'deskhand-files-'));
  home = path.join(root, 'home');
  outside = path.join(root, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'outside secret');
  workspace = new MachineWorkspace({ machineId: 'm_test', homeDir: home, maxFileBytes: 1024 });
  await workspace.ensure();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const refused = { code: 'VALIDATION_ERROR' };

describe('path confinement', () => {
  const escapes = [
    '../x',
    '/etc/passwd',
    'a/../../x',
    '../outside/secret.txt',
    'bad\0name',
    'sub/\0/../x',
  ];

  it.each(escapes)('refuses %j for every operation and writes nothing', async (escape) => {
    const files = workspace.files;
    // Each attempt starts only when awaited, so no refusal is left unobserved meanwhile.
    const attempts = [
      () => files.read(escape),
      () => files.exists(escape),
      () => files.list(escape),
      () => files.write(escape, 'pwned'),
      () => files.edit(escape, { find: 'outside', replace: 'pwned' }),
      () => files.append(escape, 'pwned'),
      () => files.delete(escape),
      () => files.deleteDirectory(escape, { recursive: true }),
    ];

    for (const attempt of attempts) {
      await expect(attempt()).rejects.toMatchObject(refused);
    }
    await expectOutsideUntouched();
  });

  it('refuses a symlink inside the home that points to /etc', async () => {
    await symlink('/etc', path.join(home, 'etc-link'));

    await expect(workspace.files.read('etc-link/passwd')).rejects.toMatchObject(refused);
    await expect(workspace.files.list('etc-link')).rejects.toMatchObject(refused);
    await expect(workspace.files.write('etc-link/deskhand-probe', 'x')).rejects.toMatchObject(
      refused,
    );
  });

  it('refuses paths through a symlink to a directory outside, changing nothing there', async () => {
    await symlink(outside, path.join(home, 'out'));

    await expect(workspace.files.read('out/secret.txt')).rejects.toMatchObject(refused);
    await expect(workspace.files.write('out/new.txt', 'x')).rejects.toMatchObject(refused);
    await expect(workspace.files.write('out/deep/new.txt', 'x')).rejects.toMatchObject(refused);
    await expect(workspace.files.delete('out/secret.txt')).rejects.toMatchObject(refused);
    await expect(workspace.files.deleteDirectory('out', { recursive: true })).rejects.toMatchObject(
      refused,
    );
    await expectOutsideUntouched();
  });

  it('refuses a dangling symlink whose missing target lies outside', async () => {
    await symlink(path.join(outside, 'planted.txt'), path.join(home, 'dangling'));

    await expect(workspace.files.write('dangling', 'x')).rejects.toMatchObject(refused);
    await expect(workspace.files.append('dangling', 'x')).rejects.toMatchObject(refused);
    await expectOutsideUntouched();
  });

  it('accepts absolute paths inside the home and symlinks that stay inside', async () => {
    await workspace.files.write(path.join(home, 'docs/a.txt'), 'inside');
    await symlink(path.join(home, 'docs'), path.join(home, 'docs-link'));

    await expect(workspace.files.read('docs-link/a.txt')).resolves.toMatchObject({
      content: 'inside',
    });
    await expect(workspace.files.read('docs/../docs/a.txt')).resolves.toMatchObject({
      path: 'docs/a.txt',
    });
  });
});

describe('file round trips', () => {
  it('writes and reads text byte for byte, creating directories', async () => {
    const text = 'line 1\r\nünïcödé ✓ 😀\n\ttabs and trailing spaces   \n';

    await workspace.files.write('a/b/c.txt', text);

    expect(await readFile(path.join(home, 'a/b/c.txt'), 'utf8')).toBe(text);
    await expect(workspace.files.read('a/b/c.txt')).resolves.toEqual({
      path: 'a/b/c.txt',
      content: text,
      encoding: 'utf8',
      size: Buffer.byteLength(text),
      truncated: false,
    });
  });

  it('round trips binary content through base64', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index));

    await workspace.files.write('bin/all-bytes', bytes.toString('base64'), { encoding: 'base64' });

    expect((await readFile(path.join(home, 'bin/all-bytes'))).equals(bytes)).toBe(true);
    const read = await workspace.files.read('bin/all-bytes', { encoding: 'base64' });
    expect(Buffer.from(read.content, 'base64').equals(bytes)).toBe(true);
  });

  it('refuses malformed base64 instead of storing something else', async () => {
    await expect(
      workspace.files.write('x.bin', 'not*base64', { encoding: 'base64' }),
    ).rejects.toMatchObject(refused);
    await expect(workspace.files.exists('x.bin')).resolves.toBe(false);
  });

  it('reads only maxBytes and says the file was truncated', async () => {
    await workspace.files.write('long.txt', '0123456789');

    await expect(workspace.files.read('long.txt', { maxBytes: 4 })).resolves.toMatchObject({
      content: '0123',
      size: 10,
      truncated: true,
    });
  });

  it('refuses content above the size limit with a clear error', async () => {
    await expect(workspace.files.write('big.txt', 'x'.repeat(1025))).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('above the limit of 1024 bytes'),
    });
    await expect(workspace.files.read('any', { maxBytes: 4096 })).rejects.toMatchObject(refused);
  });

  it('edits the first occurrence literally, or all of them', async () => {
    await workspace.files.write('e.txt', 'a $x a $x a');

    await workspace.files.edit('e.txt', { find: '$x', replace: "$& `y` '\\" });
    expect(await readFile(path.join(home, 'e.txt'), 'utf8')).toBe("a $& `y` '\\ a $x a");

    const edited = await workspace.files.edit('e.txt', { find: 'a', replace: 'b', all: true });
    expect(edited.replacements).toBe(3);
    expect(await readFile(path.join(home, 'e.txt'), 'utf8')).toBe("b $& `y` '\\ b $x b");
  });

  it('fails an edit whose text does not occur and leaves the file alone', async () => {
    await workspace.files.write('e.txt', 'hello');

    await expect(
      workspace.files.edit('e.txt', { find: 'absent', replace: 'x' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('not') });
    expect(await readFile(path.join(home, 'e.txt'), 'utf8')).toBe('hello');
  });

  it('appends to existing and new files', async () => {
    await workspace.files.append('log.txt', 'one\n');
    const appended = await workspace.files.append('log.txt', 'two\n');

    expect(appended.size).toBe(8);
    expect(await readFile(path.join(home, 'log.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('answers NOT_FOUND for a missing file and a directory error for a directory', async () => {
    await expect(workspace.files.read('missing.txt')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(workspace.files.read('Downloads')).rejects.toMatchObject(refused);
  });
});

describe('listing and deleting', () => {
  it('lists entries with type, size and time, recursively and with a limit', async () => {
    await workspace.files.write('src/main.ts', 'main');
    await workspace.files.write('src/lib/util.ts', 'util!');
    await symlink('/etc', path.join(home, 'src/etc-link'));

    const flat = await workspace.files.list('src');
    expect(flat.entries.map((entry) => [entry.name, entry.type])).toEqual([
      ['etc-link', 'symlink'],
      ['lib', 'directory'],
      ['main.ts', 'file'],
    ]);
    expect(flat.entries[2]).toMatchObject({ path: 'src/main.ts', size: 4 });
    expect(Number.isNaN(Date.parse(flat.entries[2]?.modified ?? ''))).toBe(false);

    const deep = await workspace.files.list('src', { recursive: true });
    expect(deep.entries.map((entry) => entry.name)).toContain('lib/util.ts');

    const limited = await workspace.files.list('', { recursive: true, limit: 2 });
    expect(limited).toMatchObject({ truncated: true });
    expect(limited.entries).toHaveLength(2);
  });

  it('lists the files in Downloads', async () => {
    await workspace.files.write('Downloads/report.pdf', 'pdf');
    await workspace.files.write('Downloads/nested/skip.txt', 'x');

    const downloads = await workspace.files.downloads();

    expect(downloads.map((entry) => entry.path)).toEqual(['Downloads/report.pdf']);
  });

  it('deletes files, refuses directories there, and deletes directories on request', async () => {
    await workspace.files.write('d/one.txt', '1');
    await workspace.files.write('d/sub/two.txt', '2');

    await expect(workspace.files.delete('d')).rejects.toMatchObject(refused);
    await workspace.files.delete('d/one.txt');
    await expect(workspace.files.exists('d/one.txt')).resolves.toBe(false);

    await expect(workspace.files.deleteDirectory('d')).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
    await workspace.files.deleteDirectory('d', { recursive: true });
    await expect(workspace.files.exists('d')).resolves.toBe(false);
  });

  it('deletes a symlink inside the home without touching its target', async () => {
    await workspace.files.write('target.txt', 'keep');
    await symlink(path.join(home, 'target.txt'), path.join(home, 'link'));

    await workspace.files.delete('link');

    expect(await readFile(path.join(home, 'target.txt'), 'utf8')).toBe('keep');
  });

  it('never deletes the home itself', async () => {
    await expect(workspace.files.deleteDirectory('.', { recursive: true })).rejects.toMatchObject(
      refused,
    );
    await expect(workspace.files.exists('')).resolves.toBe(true);
  });
});

async function expectOutsideUntouched(): Promise<void> {
  expect(await readdir(outside)).toEqual(['secret.txt']);
  expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret');
  expect((await readdir(root)).sort()).toEqual(['home', 'outside']);
}
