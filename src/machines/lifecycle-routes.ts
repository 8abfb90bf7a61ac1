import {
  LifecycleResponse,
  MachineIdParams,
  UpdateMachineRequest,
  UpdateMachineResponse,
} from '../contracts/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import type { MachineLifecycle } from './machine-lifecycle.js';

type Verb = 'start' | 'stop' | 'restart';

/** Start, stop, restart and the TTL lease of a machine. */
export function lifecycleRoutes(lifecycle: MachineLifecycle): AnyRoute[] {
  const verbs: Array<[Verb, string, string]> = [
    ['start', 'startMachine', 'running'],
    ['stop', 'stopMachine', 'stopped'],
    ['restart', 'restartMachine', 'running'],
  ];
  return [
    ...verbs.map(([verb, operationId, status]) =>
      defineRoute({
        method: 'POST',
        url: `/v1/machines/{machine_id}/${verb}`,
        operationId,
        summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a machine`,
        tags: ['machines'],
        scope: 'machines:write',
        params: MachineIdParams,
        response: LifecycleResponse,
        handler: async ({ auth, params, requestId }) => {
          const message = await lifecycle[verb](auth.organizationId, params.machine_id);
          return {
            body: { machine_id: params.machine_id, status, message, request_id: requestId },
          };
        },
      }),
    ),
    defineRoute({
      method: 'PATCH',
      url: '/v1/machines/{machine_id}',
      operationId: 'updateMachine',
      summary: 'Set or clear the machine’s TTL lease',
      tags: ['machines'],
      scope: 'machines:write',
      params: MachineIdParams,
      body: UpdateMachineRequest,
      response: UpdateMachineResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const lease = await lifecycle.setLease(
          auth.organizationId,
          params.machine_id,
          body.ttl_minutes,
        );
        return { body: { machine_id: params.machine_id, ...lease, request_id: requestId } };
      },
    }),
  ];
}
