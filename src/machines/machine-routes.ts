import {
  GetMachineResponse,
  LifecycleResponse,
  ListMachinesQuery,
  ListMachinesResponse,
  MachineIdParams,
  ProvisionRequest,
  ProvisionResponse,
} from '../contracts/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import type { MachineService } from './machine-service.js';

/** What the provision response may say about connecting: the secrets are left out. */
function redactedConnection(vnc: { port: number } | undefined) {
  return {
    public_ip: null,
    ssh_port: null,
    ssh_username: null,
    vnc_port: vnc?.port ?? null,
    websocket_port: null,
    has_ssh_key: false,
    has_vnc_password: vnc !== undefined,
  };
}

export function machineRoutes(machines: MachineService): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/machines',
      operationId: 'provisionMachine',
      summary: 'Provision a machine',
      tags: ['machines'],
      scope: 'machines:write',
      idempotent: true,
      body: ProvisionRequest,
      response: ProvisionResponse,
      handler: async ({ auth, body, requestId }) => {
        const machine = await machines.create(auth.organizationId, body);
        const vnc = await machines.vncOf(auth.organizationId, machine.id);
        return {
          body: { machine, connection: redactedConnection(vnc), request_id: requestId },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/machines',
      operationId: 'listMachines',
      summary: 'List machines',
      tags: ['machines'],
      scope: 'machines:read',
      query: ListMachinesQuery,
      response: ListMachinesResponse,
      handler: async ({ auth, query, requestId }) => {
        const rows = await machines.list(
          auth.organizationId,
          query.limit + 1,
          query.starting_after,
        );
        const page = rows.slice(0, query.limit);
        const hasMore = rows.length > query.limit;
        return {
          body: {
            data: page,
            has_more: hasMore,
            next_cursor: hasMore ? (page.at(-1)?.id ?? null) : null,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/machines/{machine_id}',
      operationId: 'getMachine',
      summary: 'Get a machine',
      tags: ['machines'],
      scope: 'machines:read',
      params: MachineIdParams,
      response: GetMachineResponse,
      handler: async ({ auth, params, requestId }) => ({
        body: {
          machine: await machines.get(auth.organizationId, params.machine_id),
          request_id: requestId,
        },
      }),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/machines/{machine_id}',
      operationId: 'terminateMachine',
      summary: 'Delete a machine and everything it left on the host',
      tags: ['machines'],
      scope: 'machines:write',
      params: MachineIdParams,
      response: LifecycleResponse,
      handler: async ({ auth, params, requestId }) => {
        await machines.delete(auth.organizationId, params.machine_id);
        return {
          body: {
            machine_id: params.machine_id,
            status: 'terminated',
            message: 'The machine was deleted.',
            request_id: requestId,
          },
        };
      },
    }),
  ];
}
