import type { Logger } from '../log/index.js';
import type { DeliveryRow } from './delivery-store.js';
import type { Decision } from './retry-policy.js';

/** What is said about one finished attempt. */
export interface AttemptReport {
  row: DeliveryRow;
  attempt: number;
  statusCode: number | null;
  decision: Decision;
  organizationId: string | undefined;
  /** False when the attempt's lease ran out and another server took the delivery over. */
  kept: boolean;
}

/**
 * One line per attempt: info when delivered, warn when it failed. Never the URL (it may carry
 * a token), the payload or the secret.
 */
export function logAttempt(logger: Logger, report: AttemptReport): void {
  const { row, decision } = report;
  const fields = {
    deliveryId: row.id,
    runId: row.run_id,
    organizationId: report.organizationId,
    eventType: row.event_type,
    attempt: report.attempt,
    statusCode: report.statusCode,
  };

  if (!report.kept) {
    logger.debug(fields, 'Webhook attempt finished after its lease ran out');
  } else if (decision.kind === 'delivered') {
    logger.info(fields, 'Webhook delivered');
  } else if (decision.kind === 'retry') {
    const retryInMs = decision.delayMs;
    logger.warn({ ...fields, error: decision.error, retryInMs }, 'Webhook attempt failed');
  } else {
    logger.warn({ ...fields, error: decision.error }, 'Webhook delivery failed');
  }
}
