import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { MachineWorkspace } from './machine-workspace.js';

let root: string;
let home: string;
let workspace: MachineWorkspace;
let session: string;

beforeAll(() => {
  process.env.DESKHAND_SECRET_PROBE = 'server-secret-value';
});

afterAll(() => {
  delete process.env.DESKHAND_SECRET_PROBE;
});

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'deskhand-terminal-'));
  home = path.join(root, 'home');
  workspace = new MachineWorkspace({ machineId: 'm_test', homeDir: home, maxOutputBytes: 4096 });
  await workspace.ensure();
  session = await workspace.terminal.connect();
});

afterEach(async () => {
  await workspace.remove();
  await rm(root, { recursive: true, force: true });
});

const run = (command: string, timeoutMs = 5_000) =>
  workspace.terminal.execute(session, command, { timeoutMs });

describe('persistent shell', () => {
  it('starts in the home with HOME pointing there', async () => {
    await expect(run('pwd; printf %s "$HOME"')).resolves.toMatchObject({
      output: `${home}\n${home}`,
      exit_code: 0,
    });
  });

  it('keeps the directory and exported variables between executes', async () => {
    await run('mkdir sub');

    await run('cd sub && export X=1');

    await expect(run('pwd; echo "X=$X"')).resolves.toMatchObject({
      output: `${home}/sub\nX=1\n`,
    });
  });

  it('reports exit codes, including after a syntax error', async () => {
    await expect(run('false')).resolves.toMatchObject({ exit_code: 1, timed_out: false });
    await expect(run('(exit 42)')).resolves.toMatchObject({ exit_code: 42 });
    await expect(run('if then fi')).resolves.toMatchObject({ exit_code: 2 });
    await expect(run('true')).resolves.toMatchObject({ output: '', exit_code: 0 });
  });

  it('merges stderr into the output in order', async () => {
    await expect(run('echo out; echo err >&2; echo out2')).resolves.toMatchObject({
      output: 'out\nerr\nout2\n',
    });
  });

  it('gives commands that read stdin an empty stdin instead of the next command', async () => {
    await expect(run('cat; echo after')).resolves.toMatchObject({ output: 'after\n' });
    await expect(run('echo next')).resolves.toMatchObject({ output: 'next\n' });
  });

  it('restarts the shell on the next execute after the command exits it', async () => {
    await expect(run('exit 3')).resolves.toMatchObject({ exit_code: 3 });

    await expect(run('echo back; pwd')).resolves.toMatchObject({ output: `back\n${home}\n` });
  });
});

describe('commands arrive verbatim', () => {
  const tricky = [
    `it's "quoted" \\"escaped\\"`,
    '$HOME ${PATH} $(whoami) `id` $((1+2)) !! *',
    'back\\slash\\n\\t \\\\ end\\',
    '--help -rf x',
    'line one\nline two\n\nlast',
    'ünïcödé ✓ 😀 中文',
    '__DESKHAND_CMD_',
  ];

  it.each(tricky)('round trips %j through a single-quoted heredoc and printf', async (value) => {
    const command = `V=$(cat <<'EOF'\n${value}\nEOF\n)\nprintf '%s' "$V"`;

    await expect(run(command)).resolves.toMatchObject({ output: value, exit_code: 0 });
  });

  it('passes leading dashes, quotes, backticks and dollars to the program unchanged', async () => {
    await expect(run('echo --help -rf x')).resolves.toMatchObject({ output: '--help -rf x\n' });
    await expect(run(`printf '%s|' "a b" 'c$d' "\\\`e\\\`"`)).resolves.toMatchObject({
      output: 'a b|c$d|`e`|',
    });
  });

  it('runs multi-line commands with loops and here-documents', async () => {
    const command = 'for i in 1 2; do\n  echo "n$i"\ndone\ncat <<EOF\nhi $((2*3))\nEOF';

    await expect(run(command)).resolves.toMatchObject({ output: 'n1\nn2\nhi 6\n' });
  });

  it('keeps output without a trailing newline exact', async () => {
    await expect(run("printf 'no newline'")).resolves.toMatchObject({ output: 'no newline' });
    await expect(run("printf '\\n\\n'")).resolves.toMatchObject({ output: '\n\n' });
  });
});

describe('timeouts and aborts', () => {
  it('interrupts a command that times out and keeps the session usable', async () => {
    await run('cd Downloads && export KEEP=yes');
    const startedAt = Date.now();

    const result = await run('echo started; sleep 10', 300);

    expect(Date.now() - startedAt).toBeLessThan(1_500);
    expect(result).toMatchObject({ output: 'started\n', timed_out: true });
    await expect(run('echo "$KEEP"; pwd')).resolves.toMatchObject({
      output: `yes\n${home}/Downloads\n`,
      timed_out: false,
    });
  });

  it('kills a command that survives SIGINT and starts a fresh shell', async () => {
    const startedAt = Date.now();

    const result = await run("trap '' INT; while true; do sleep 0.05; done", 300);

    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(result).toMatchObject({ exit_code: null, timed_out: true });
    await expect(run('echo alive')).resolves.toMatchObject({ output: 'alive\n' });
  });

  it('interrupts the command when the signal aborts and rejects with its reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run cancelled')), 200);

    const execution = workspace.terminal.execute(session, 'sleep 10', {
      signal: controller.signal,
    });

    await expect(execution).rejects.toThrow('run cancelled');
    await expect(run('echo after abort')).resolves.toMatchObject({ output: 'after abort\n' });
  });

  it('refuses a second command while one runs', async () => {
    const first = run('sleep 0.3; echo first');

    await expect(run('echo second')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(first).resolves.toMatchObject({ output: 'first\n' });
  });
});

describe('environment and output bounds', () => {
  it('does not pass the server environment to the shell', async () => {
    expect(process.env.DESKHAND_SECRET_PROBE).toBe('server-secret-value');

    const result = await run('env');

    expect(result.output).not.toContain('DESKHAND_SECRET_PROBE');
    expect(result.output).not.toContain('server-secret-value');
    expect(result.output).toContain('LANG=C.UTF-8');
    expect(result.output).toContain('TERM=dumb');
  });

  it('bounds the output of one command and says it truncated it', async () => {
    const result = await run('head -c 10000 /dev/zero | tr "\\0" a; echo; echo done');

    expect(result).toMatchObject({ truncated: true, exit_code: 0 });
    expect(result.output).toBe('a'.repeat(4096));
  });

  it('collects background output for read and drops it on clear', async () => {
    await run('(sleep 0.2; echo later) &');
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(workspace.terminal.read(session)).toEqual({ output: 'later\n', truncated: false });
    expect(workspace.terminal.read(session)).toEqual({ output: '', truncated: false });

    await run('(sleep 0.1; echo dropped) &');
    await new Promise((resolve) => setTimeout(resolve, 300));
    workspace.terminal.clear(session);
    expect(workspace.terminal.read(session).output).toBe('');
  });
});

describe('sessions', () => {
  it('answers NOT_FOUND for unknown and closed sessions', async () => {
    await expect(workspace.terminal.execute('nope', 'true')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    await workspace.terminal.close(session);

    expect(() => workspace.terminal.read(session)).toThrow(/No terminal session/);
    await expect(run('true')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps sessions apart and reconnects to an open one by id', async () => {
    const other = await workspace.terminal.connect('second');
    await run('export WHO=first');

    await expect(workspace.terminal.connect(session)).resolves.toBe(session);
    await expect(
      workspace.terminal.execute(other, 'echo "[$WHO]"', { timeoutMs: 5_000 }),
    ).resolves.toMatchObject({ output: '[]\n' });
    expect(workspace.terminal.list().sort()).toEqual([session, 'second'].sort());
  });

  it('refuses session ids with odd characters', async () => {
    await expect(workspace.terminal.connect('../x')).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });
});
