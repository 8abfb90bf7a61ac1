import { describe, expect, it } from 'vitest';

import { testStores } from './support/server.js';
import { useServer } from './support/suite.js';

describe.each(testStores)('desktop machines, terminals and files on %s', (store) => {
  const suite = useServer(store);

  it('runs commands in a persistent shell confined to the machine home', async () => {
    const { api } = suite;
    const created = await api.post('/v1/machines', { display_name: 'desk', desktop_enabled: true });
    expect(created.status).toBe(200);
    expect(created.body.machine).toMatchObject({ desktop_enabled: true, status: 'running' });
    const machineId = created.body.machine.id;
    const act = (command: string, parameters: Record<string, unknown>) =>
      api.post(`/v1/machines/${machineId}/actions`, { command, parameters });

    const shot = await api.get(`/v1/machines/${machineId}/screenshot?format=png`);
    expect(shot.body).toMatchObject({ width: 1280, height: 800, mime_type: 'image/png' });

    await act('terminal_execute', { command: 'mkdir -p work && cd work && export GREETING=hi' });
    const echoed = await act('terminal_execute', {
      command: `printf '%s|%s|%s' "$GREETING" "$(basename "$PWD")" '--help -rf x $HOME \`q\`'`,
    });
    expect(echoed.body.result).toMatchObject({
      output: 'hi|work|--help -rf x $HOME `q`',
      exit_code: 0,
      timed_out: false,
    });
    const failed = await act('terminal_execute', { command: 'exit_code_probe; false' });
    expect(failed.body.result.exit_code).toBe(1);

    const written = await act('file_write', { path: 'notes/a.txt', content: 'é日本\n$x`y`' });
    expect(written.body.success).toBe(true);
    const read = await act('file_read', { path: 'notes/a.txt' });
    expect(read.body.result.content).toBe('é日本\n$x`y`');
    const catted = await act('terminal_execute', { command: 'cat ~/notes/a.txt' });
    expect(catted.body.result.output).toBe('é日本\n$x`y`');

    const escape = await act('file_read', { path: '../../../../etc/passwd' });
    expect(escape.status).toBe(422);
    const outside = await act('terminal_execute', { command: 'pwd', cwd: '/etc' });
    expect(outside.status).toBe(422);

    const deleted = await api.call('DELETE', `/v1/machines/${machineId}`);
    expect(deleted.status).toBe(200);
    expect((await act('file_read', { path: 'notes/a.txt' })).status).toBe(404);
  });

  it('stops, starts and restarts a machine, and deletes it when its lease runs out', async () => {
    const { api } = suite;
    const machineId = await api.machine();
    const base = `/v1/machines/${machineId}`;

    expect((await api.post(`${base}/stop`)).body).toMatchObject({ status: 'stopped' });
    expect((await api.get(base)).body.machine.status).toBe('stopped');
    const onStopped = await api.post(`${base}/actions`, {
      command: 'click',
      parameters: { x: 1, y: 1 },
    });
    expect(onStopped.status).toBe(409);
    const shellOnStopped = await api.post(`${base}/terminal`, { command: 'id' });
    expect(shellOnStopped.status).toBe(409);
    const written = await api.post(`${base}/files/write`, {
      parameters: { path: 'kept.txt', content: 'still here' },
    });
    expect(written.body.success).toBe(true);
    const runOnStopped = await api.post('/v1/runs', { machine_id: machineId, task: 'x' });
    expect(runOnStopped.status).toBe(409);

    expect((await api.post(`${base}/start`)).body).toMatchObject({ status: 'running' });
    expect((await api.get(`${base}/screenshot`)).status).toBe(200);
    expect((await api.post(`${base}/restart`)).body).toMatchObject({ status: 'running' });

    const badLease = await api.call('PATCH', base, { ttl_minutes: 3 });
    expect(badLease.status).toBe(422);
    const lease = await api.call('PATCH', base, { ttl_minutes: 5 });
    expect(lease.body.ttl_minutes).toBe(5);
    expect(Date.parse(lease.body.auto_destroy_at) - Date.now()).toBeGreaterThan(4 * 60_000);
    const cleared = await api.call('PATCH', base, { ttl_minutes: 0 });
    expect(cleared.body).toMatchObject({ ttl_minutes: null, auto_destroy_at: null });
  });
});
