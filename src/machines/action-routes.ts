import {
  ActionRequest,
  ActionResultResponse,
  BatchActionRequest,
  BatchActionResponse,
  MachineIdParams,
  ScreenshotQuery,
  ScreenshotResponse,
} from '../contracts/index.js';
import { defineRoute } from '../http/index.js';
import type { AnyRoute } from '../http/index.js';
import type { MachineActions } from './machine-actions.js';

/** Screenshots and the action commands of a machine. */
export function actionRoutes(actions: MachineActions): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/machines/{machine_id}/screenshot',
      operationId: 'getScreenshot',
      summary: 'Capture the machine’s screen (base64, no data: prefix)',
      tags: ['machines'],
      scope: 'machines:read',
      params: MachineIdParams,
      query: ScreenshotQuery,
      response: ScreenshotResponse,
      handler: async ({ auth, params, query, requestId }) => {
        const { observation, capturedAt } = await actions.screenshot(
          auth,
          params.machine_id,
          query.format,
        );
        const { screenshot } = observation;
        return {
          body: {
            machine_id: params.machine_id,
            image_b64: screenshot.data.toString('base64'),
            mime_type: `image/${screenshot.format}`,
            width: screenshot.width,
            height: screenshot.height,
            captured_at: capturedAt,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/machines/{machine_id}/actions',
      operationId: 'executeAction',
      summary: 'Perform one command on the machine (its scope depends on the command)',
      tags: ['machines'],
      scope: 'any',
      idempotent: true,
      params: MachineIdParams,
      body: ActionRequest,
      response: ActionResultResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const result = await actions.perform(auth, params.machine_id, body);
        return { body: { machine_id: params.machine_id, ...result, request_id: requestId } };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/machines/{machine_id}/actions/batch',
      operationId: 'executeBatch',
      summary: 'Perform up to 50 commands in order, stopping at the first failure by default',
      tags: ['machines'],
      scope: 'any',
      idempotent: true,
      params: MachineIdParams,
      body: BatchActionRequest,
      response: BatchActionResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const results = await actions.batch(
          auth,
          params.machine_id,
          body.steps,
          body.stop_on_error,
        );
        const failed = results.filter((result) => !result.success).length;
        return {
          body: {
            machine_id: params.machine_id,
            results: results.map((result) => ({
              machine_id: params.machine_id,
              ...result,
              request_id: requestId,
            })),
            completed_count: results.length - failed,
            failed_count: failed,
            aborted: results.length < body.steps.length,
            request_id: requestId,
          },
        };
      },
    }),
  ];
}
