import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { Api } from './support/api.js';
import { tryVncPassword } from './support/rfb-client.js';
import { useServer } from './support/suite.js';

/** The local addresses listening on `port`, from the kernel's TCP tables (IPv4 and IPv6). */
function listenersOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // st 0A is LISTEN.
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
      .map((fields) => fields[1]!.split(':')[0]!),
  );
}

describe('machine connections', () => {
  const suite = useServer('sqlite');

  it('serves a desktop over VNC on loopback, with its own password and nothing else', async () => {
    const { api } = suite;
    const created = await api.post('/v1/machines', { display_name: 'vnc', desktop_enabled: true });
    expect(created.status).toBe(200);
    const machineId = created.body.machine.id as string;
    expect(created.body.connection).toMatchObject({ has_vnc_password: true });
    expect(created.body.connection.vnc_port).toEqual(expect.any(Number));

    const reader = await api.post('/v1/keys', { name: 'no connection', scopes: ['machines:read'] });
    const refused = await api.withKey(reader.body.key).get(`/v1/machines/${machineId}/connection`);
    expect(refused.status).toBe(403);

    const connection = await api.get(`/v1/machines/${machineId}/connection`);
    expect(connection.status).toBe(200);
    expect(connection.headers.get('cache-control')).toBe('no-store');
    const { vnc_port: port, vnc_password: password } = connection.body;
    expect(port).toBe(created.body.connection.vnc_port);
    expect(password).toMatch(/^.{8}$/);
    expect(listenersOn(port)).toEqual(['0100007F']);

    const authFile = join(suite.server.dataDir, 'desktops', machineId, 'vnc.auth');
    expect(statSync(authFile).mode & 0o777).toBe(0o600);

    const wrong = await tryVncPassword(port, password === 'wrong-pw' ? 'other-pw' : 'wrong-pw');
    expect(wrong.version).toMatch(/^RFB 003\.00\d\n$/);
    expect(wrong.securityTypes).toEqual([2]);
    expect(wrong.securityResult).toBe(1);

    const right = await tryVncPassword(port, password);
    expect(right.securityResult).toBe(0);
    expect(right.screen).toEqual({ width: 1280, height: 800 });

    expect((await api.call('DELETE', `/v1/machines/${machineId}`)).status).toBe(200);
    expect(listenersOn(port)).toEqual([]);
  });

  it('reaps a crashed server’s VNC server and serves the same password anew', async () => {
    let { api } = suite;
    const created = await api.post('/v1/machines', { display_name: 'vnc', desktop_enabled: true });
    const path = `/v1/machines/${created.body.machine.id}/connection`;
    const before = (await api.get(path)).body;

    await suite.server.kill('SIGKILL');
    await suite.server.start();
    api = suite.api = new Api(suite.server.url, suite.server.adminKey);
    const after = (await api.get(path)).body;

    expect(after.vnc_password).toBe(before.vnc_password);
    if (after.vnc_port !== before.vnc_port) {
      expect(listenersOn(before.vnc_port)).toEqual([]);
    }
    expect((await tryVncPassword(after.vnc_port, after.vnc_password)).securityResult).toBe(0);
  });

  it('answers nulls for a headless machine, which has no VNC server', async () => {
    const { api } = suite;
    const created = await api.post('/v1/machines', { display_name: 'headless' });
    expect(created.body.connection).toMatchObject({ vnc_port: null, has_vnc_password: false });

    const connection = await api.get(`/v1/machines/${created.body.machine.id}/connection`);
    expect(connection.status).toBe(200);
    expect(connection.body).toMatchObject({ vnc_port: null, vnc_password: null, public_ip: null });
    expect(connection.body.screen_width).toBe(1280);
  });
});
