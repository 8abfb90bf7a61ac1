import {
  ConnectionDetailsFull,
  HealthResponse,
  MachineIdParams,
  MachinePricingResponse,
} from '../contracts/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import type { MachineService } from './machine-service.js';

export interface AccessRouteDeps {
  machines: MachineService;
  snapshotPriceCredits: number;
  stepPriceCredits: number;
}

/** The machines API's health, its rate card, and how to connect to a machine. */
export function accessRoutes(deps: AccessRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/machines/health',
      operationId: 'machinesHealth',
      summary: 'Whether the machines API is up; needs no key',
      tags: ['machines'],
      scope: 'public',
      response: HealthResponse,
      handler: async () => ({
        body: { status: 'ok', api_version: 'v1', service: 'deskhand-machines' },
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/machines/pricing',
      operationId: 'getMachinePricing',
      summary: 'What machines cost: runtime rates, one-time fees and lease bounds',
      tags: ['machines'],
      scope: 'machines:read',
      response: MachinePricingResponse,
      handler: async ({ requestId }) => ({
        body: { pricing: rateCard(deps), request_id: requestId },
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/machines/{machine_id}/connection',
      operationId: 'getConnectionDetails',
      summary: 'The machine’s VNC port and password (secrets; never cached)',
      tags: ['machines'],
      scope: 'connection:read',
      params: MachineIdParams,
      response: ConnectionDetailsFull,
      handler: async ({ auth, params, requestId }) => {
        const machine = await deps.machines.row(auth.organizationId, params.machine_id);
        const vnc = await deps.machines.vncOf(auth.organizationId, params.machine_id);
        return {
          headers: { 'Cache-Control': 'no-store' },
          body: {
            machine_id: params.machine_id,
            public_ip: null,
            ssh_port: null,
            ssh_username: null,
            ssh_private_key_pem: null,
            vnc_port: vnc?.port ?? null,
            vnc_password: vnc?.password ?? null,
            websocket_port: null,
            websocket_url: null,
            devtools_url: null,
            // LIMITATION: no browser viewer (noVNC behind a WebSocket proxy) yet, so no vnc_url.
            vnc_url: null,
            screen_width: machine.screen_width,
            screen_height: machine.screen_height,
            request_id: requestId,
          },
        };
      },
    }),
  ];
}

/** Machines cost nothing while they exist on this server; agent steps and snapshots do. */
function rateCard(deps: AccessRouteDeps) {
  return {
    currency: 'credits',
    credit_value_usd: 0.01,
    billed_to: 'api_wallet',
    runtime: {
      linux: { running_credits_per_hour: 0, stopped_credits_per_hour: 0 },
      windows: null,
    },
    one_time: {
      provision_credits: 0,
      snapshot_credits: deps.snapshotPriceCredits,
      restore_from_snapshot_credits: 0,
    },
    agent_step_credits: deps.stepPriceCredits,
    billing_granularity: 'per_operation',
    insufficient_funds: {
      snapshot: 'refused with 402 INSUFFICIENT_CREDITS before anything is copied',
      failed_snapshot: 'its fee is refunded',
      runs: 'a run pauses as awaiting_human (INSUFFICIENT_CREDITS) until a top-up',
    },
    ttl_minutes: { min: 5, max: 10_080, default: null },
  };
}
