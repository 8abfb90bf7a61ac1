import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Api } from './support/api.js';
import { testStores } from './support/server.js';
import { useServer } from './support/suite.js';

const content = 'kept "as is" $HOME `x` \\ é\n';

async function balance(api: Api): Promise<number> {
  return (await api.get('/v1/wallet')).body.balance_credits as number;
}

async function act(api: Api, machineId: string, command: string, parameters: object) {
  return api.post(`/v1/machines/${machineId}/actions`, { command, parameters });
}

describe.each(testStores)('machine snapshots on %s', (store) => {
  const suite = useServer(store);

  it('charges once, refunds a failure, survives a crash and restores the home', async () => {
    let api = suite.api;
    const machineId = await api.machine();
    await act(api, machineId, 'file_write', { path: 'notes/hello.txt', content });
    const snapshotUrl = `/v1/machines/${machineId}/snapshot`;

    const machinesBefore = (await api.get('/v1/machines?limit=200')).body.data.length;
    const noSnapshotYet = await api.post('/v1/machines', {
      display_name: 'nothing to restore',
      restore_from_snapshot: true,
    });
    expect(noSnapshotYet.status).toBe(422);
    expect((await api.get('/v1/machines?limit=200')).body.data.length).toBe(machinesBefore);
    expect((await api.post(snapshotUrl, { label: 'x' })).status).toBe(422);
    const unknownMachine = await api.post(
      '/v1/machines/00000000-0000-4000-8000-000000000000/snapshot',
    );
    expect(unknownMachine.status).toBe(404);

    const unpaid = await api.post(snapshotUrl);
    expect(unpaid.status).toBe(402);
    expect(unpaid.body.error.code).toBe('INSUFFICIENT_CREDITS');

    await api.topUp(100);
    // A file where the snapshots folder belongs makes the copy fail after the fee was taken.
    const snapshotsDir = join(suite.server.dataDir, 'snapshots');
    writeFileSync(snapshotsDir, 'in the way');
    const failed = await api.post(snapshotUrl);
    expect(failed.status).toBe(503);
    expect(await balance(api)).toBe(100);
    const ledger = (await api.get('/v1/wallet/ledger?limit=10')).body.data;
    expect(ledger.slice(0, 2).map((entry: any) => [entry.kind, entry.amount_credits])).toEqual([
      ['refund', 10],
      ['charge', -10],
    ]);
    rmSync(snapshotsDir);

    const headers = { 'Idempotency-Key': `snap-${store}` };
    const taken = await api.post(snapshotUrl, { name: 'with notes' }, headers);
    expect(taken.status).toBe(200);
    expect(taken.headers.get('x-credits-charged')).toBe('10');
    expect(taken.body).toMatchObject({ machine_id: machineId, name: 'with notes' });
    expect(taken.body.credits_charged).toBe(10);
    const replay = await api.post(snapshotUrl, { name: 'with notes' }, headers);
    expect(replay.headers.get('x-coasty-idempotent-replay')).toBe('true');
    expect(replay.body.snapshot_id).toBe(taken.body.snapshot_id);
    expect(await balance(api)).toBe(90);

    await suite.server.kill('SIGKILL');
    await suite.server.start();
    api = new Api(suite.server.url, suite.server.adminKey);
    suite.api = api;

    const before = (await api.get('/v1/machines?limit=200')).body.data.length;
    const unknown = await api.post('/v1/machines', {
      display_name: 'restored',
      restore_from_snapshot: true,
      metadata: { snapshot_id: 'snap_000000000000000000000000' },
    });
    expect(unknown.status).toBe(404);
    expect((await api.get('/v1/machines?limit=200')).body.data.length).toBe(before);

    const restored = await api.post('/v1/machines', {
      display_name: 'restored',
      restore_from_snapshot: true,
    });
    // The server's log says why a restore failed; the response rightly does not.
    expect(restored.status, suite.server.output.slice(-3000)).toBe(200);
    const read = await act(api, restored.body.machine.id, 'file_read', {
      path: 'notes/hello.txt',
    });
    expect(read.body.result.content).toBe(content);

    const listed = await api.get(`/v1/snapshots?machine_id=${machineId}`);
    expect(listed.body.data.map((entry: any) => [entry.status, entry.name])).toEqual([
      ['ready', 'with notes'],
      ['failed', expect.any(String)],
    ]);
    const fromFailed = await api.post('/v1/machines', {
      display_name: 'from a failed snapshot',
      restore_from_snapshot: true,
      metadata: { snapshot_id: listed.body.data[1].id },
    });
    expect(fromFailed.status).toBe(409);
    const snapshotId = taken.body.snapshot_id as string;
    expect((await api.call('DELETE', `/v1/snapshots/${snapshotId}`)).status).toBe(200);
    expect(existsSync(join(suite.server.dataDir, 'snapshots', snapshotId))).toBe(false);
    expect((await api.call('DELETE', `/v1/snapshots/${snapshotId}`)).status).toBe(404);
  });
});

describe('desktop snapshots', () => {
  const suite = useServer('sqlite');

  it('carry the browser profile into a restored desktop, without its locks', async () => {
    const { api } = suite;
    await api.topUp(100);
    const source = await api.post('/v1/machines', { display_name: 'src', desktop_enabled: true });
    const sourceId = source.body.machine.id as string;
    const profileOf = (machineId: string) =>
      join(suite.server.dataDir, 'desktops', machineId, 'profile');
    writeFileSync(join(profileOf(sourceId), 'marker.txt'), 'from the source');

    const taken = await api.post(`/v1/machines/${sourceId}/snapshot`);
    expect(taken.status).toBe(200);
    const stored = join(suite.server.dataDir, 'snapshots', taken.body.snapshot_id, 'profile.tar');
    const members = execFileSync('tar', ['--list', '--file', stored], { encoding: 'utf8' });
    expect(members).toContain('./marker.txt');
    expect(members).not.toMatch(/Singleton/);

    const restored = await api.post('/v1/machines', {
      display_name: 'copy',
      desktop_enabled: true,
      restore_from_snapshot: true,
      metadata: { snapshot_id: taken.body.snapshot_id },
    });
    expect(restored.status).toBe(200);
    const marker = join(profileOf(restored.body.machine.id), 'marker.txt');
    expect(existsSync(marker) && readFileSync(marker, 'utf8')).toBe('from the source');
    const screenshot = await api.get(`/v1/machines/${restored.body.machine.id}/screenshot`);
    expect(screenshot.status).toBe(200);
  });
});
