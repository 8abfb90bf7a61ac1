import { AppError, notFound, validationError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import type { WalletService } from '../wallet/index.js';
import { childSteps, walkSteps } from './definition/index.js';
import type { Definition, Step } from './definition/index.js';

/**
 * A task step needs a machine: its own, its parallel branch's, or the run's. A run that
 * leaves one without is refused before it starts, naming the step.
 */
export function refuseMachinelessTasks(definition: Definition, machineId: string | null): void {
  visit(definition.steps, 'definition.steps', machineId !== null);
}

function visit(steps: Step[], path: string, hasMachine: boolean): void {
  steps.forEach((step, index) => {
    const stepPath = path.endsWith('.step') ? path : `${path}[${index}]`;
    if (step.type === 'task' && !step.machine_id && !hasMachine) {
      throw validationError(
        `Step '${step.id}' is a task without machine_id; give it one or start the run with one.`,
        { step_id: step.id, field: 'machine_id', path: `${stepPath}.machine_id` },
      );
    }
    if (step.type === 'parallel') {
      step.branches.forEach((branch, branchIndex) =>
        visit(
          branch.steps,
          `${stepPath}.branches[${branchIndex}].steps`,
          hasMachine || branch.machine_id !== undefined,
        ),
      );
      return;
    }
    for (const child of childSteps(step)) {
      visit(child.steps, `${stepPath}.${child.path.join('.')}`, hasMachine);
    }
  });
}

/** The run's default machine must be one of the organization's; each task checks its own. */
export async function requireMachine(
  store: Store,
  organizationId: string,
  machineId: string | null,
): Promise<void> {
  if (!machineId) {
    return;
  }
  const machine = await store.db
    .selectFrom('machines')
    .select('id')
    .where('id', '=', machineId)
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!machine) {
    throw notFound('machine', machineId);
  }
}

/** A run with task steps is refused with 402 when the wallet cannot pay one agent step. */
export async function requireCredits(
  deps: { wallet: WalletService; stepPriceCredits: number },
  organizationId: string,
  definition: Definition,
): Promise<void> {
  let hasTask = false;
  walkSteps(definition.steps, [], (step) => (hasTask ||= step.type === 'task'));
  const balance = await deps.wallet.balance(organizationId);
  if (hasTask && balance < deps.stepPriceCredits) {
    throw new AppError(
      'INSUFFICIENT_CREDITS',
      `One step costs ${deps.stepPriceCredits} credits; the wallet holds ${balance}.`,
      { details: { balance_credits: balance, step_price_credits: deps.stepPriceCredits } },
    );
  }
}
