import type { IfStep, LoopStep, ParallelStep, RetryStep } from '../definition/index.js';
import { evaluate, render } from '../definition/index.js';
import type { Frame, Interpreter } from './interpreter.js';
import { StepFailure, WorkflowAbort } from './outcomes.js';
import type { StepIdentity, StepResult } from './step-store.js';

type ControlStep = IfStep | LoopStep | ParallelStep | RetryStep;

/**
 * The steps that hold other steps. Their own decisions (the branch taken, the list looped
 * over, each `while` check) are recorded once, so a restarted run takes the same path.
 */
export async function runControlStep(
  interpreter: Interpreter,
  step: ControlStep,
  identity: StepIdentity,
  frame: Frame,
): Promise<StepResult> {
  await interpreter.deps.steps.begin(identity);
  const output = await control(interpreter, step, identity, frame);
  const result: StepResult = { status: 'succeeded', output, error: null };
  await interpreter.deps.steps.finish(identity, result);
  return result;
}

function control(interpreter: Interpreter, step: ControlStep, id: StepIdentity, frame: Frame) {
  switch (step.type) {
    case 'if':
      return ifStep(interpreter, step, id, frame);
    case 'loop':
      return loopStep(interpreter, step, id, frame);
    case 'parallel':
      return parallelStep(interpreter, step, id, frame);
    case 'retry':
      return retryStep(interpreter, step, id, frame);
  }
}

async function ifStep(interpreter: Interpreter, step: IfStep, id: StepIdentity, frame: Frame) {
  const branch = await interpreter.deps.steps.decide(`${id.key}#branch`, async () =>
    (await interpreter.condition(step.condition, frame, step.id)) ? 'then' : 'else',
  );
  const steps = branch === 'then' ? step.then : (step.else ?? []);
  await interpreter.runSteps(steps, { ...frame, prefix: `${id.key}/${branch}/` });
  return { branch };
}

async function loopStep(interpreter: Interpreter, step: LoopStep, id: StepIdentity, frame: Frame) {
  const { steps } = interpreter.deps;
  const items = step.over
    ? await steps.decide(`${id.key}#items`, () => listOf(interpreter, step, frame))
    : undefined;
  if (items && items.length > step.max_iterations) {
    throw tooManyIterations(step, `${items.length} items exceed max_iterations`);
  }
  let index = 0;
  for (; items ? index < items.length : true; index += 1) {
    const scope = { ...frame.scope, [step.as ?? 'item']: items?.[index] ?? null, index };
    if (step.while) {
      const goOn = await steps.decide(`${id.key}/${index}#while`, () =>
        interpreter.condition(step.while ?? 'false', { ...frame, scope }, step.id),
      );
      if (!goOn) {
        break;
      }
      if (index >= step.max_iterations) {
        throw tooManyIterations(step, `still true after ${step.max_iterations} iterations`);
      }
    }
    await countIteration(interpreter, `${id.key}/${index}`, step.id);
    await interpreter.runSteps(step.steps, { ...frame, scope, prefix: `${id.key}/${index}/` });
  }
  return { iterations: index };
}

async function listOf(interpreter: Interpreter, step: LoopStep, frame: Frame) {
  const value = await interpreter.guarded(step.id, () => evaluate(step.over ?? '[]', frame.scope));
  if (value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

async function countIteration(interpreter: Interpreter, key: string, stepId: string) {
  const limit = interpreter.deps.workflowRun.max_iterations;
  if (!(await interpreter.deps.steps.countIteration(key, limit))) {
    throw new WorkflowAbort(
      'MAX_ITERATIONS_REACHED',
      `The run used all ${limit} loop iterations it may take.`,
      stepId,
    );
  }
}

function tooManyIterations(step: LoopStep, why: string): StepFailure {
  return new StepFailure({
    code: 'MAX_ITERATIONS_REACHED',
    message: `Loop '${step.id}': ${why} (${step.max_iterations}).`,
    step_id: step.id,
  });
}

async function parallelStep(
  interpreter: Interpreter,
  step: ParallelStep,
  id: StepIdentity,
  frame: Frame,
) {
  const machines = await branchMachines(interpreter, step, frame);
  const settled = await Promise.allSettled(
    step.branches.map((branch, index) =>
      interpreter.runSteps(branch.steps, {
        ...frame,
        machineId: machines[index] ?? null,
        prefix: `${id.key}/${index}/`,
      }),
    ),
  );
  const reasons = settled.flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as Error] : [],
  );
  // Anything but a step's failure (a limit, an interrupt, a wait for approval) comes first.
  const first = reasons.find((reason) => !(reason instanceof StepFailure)) ?? reasons[0];
  if (first) {
    throw first;
  }
  return { branches: step.branches.length };
}

/** Each branch's machine, templates filled in; two branches may not share one. */
async function branchMachines(interpreter: Interpreter, step: ParallelStep, frame: Frame) {
  const machines = await Promise.all(
    step.branches.map((branch) =>
      branch.machine_id
        ? interpreter.guarded(step.id, () => render(branch.machine_id ?? '', frame.scope))
        : Promise.resolve(frame.machineId),
    ),
  );
  const own = step.branches.map((branch, index) => (branch.machine_id ? machines[index] : null));
  const repeated = own.findIndex((machine, index) => machine && own.indexOf(machine) !== index);
  if (repeated >= 0) {
    throw new StepFailure({
      code: 'VALIDATION_ERROR',
      message: `Branch ${repeated} runs on machine ${own[repeated]}, as an earlier branch does.`,
      step_id: step.id,
    });
  }
  return machines;
}

async function retryStep(
  interpreter: Interpreter,
  step: RetryStep,
  id: StepIdentity,
  frame: Frame,
) {
  let lastError: Record<string, unknown> | null = null;
  for (let attempt = 1; attempt <= step.attempts; attempt += 1) {
    if (attempt > 1) {
      const backoff = (step.backoff_seconds ?? 0) * (step.backoff_multiplier ?? 2) ** (attempt - 2);
      const wait = { key: `${id.key}/backoff-${attempt}`, stepId: step.id, type: 'wait' };
      await interpreter.waitUntil(wait, backoff);
    }
    try {
      const attemptFrame = { ...frame, prefix: `${id.key}/attempt-${attempt}/` };
      const result = await interpreter.runStep(step.step, attemptFrame);
      if (result.status === 'succeeded') {
        return { attempts: attempt, output: result.output };
      }
      lastError = result.error;
    } catch (error) {
      if (!(error instanceof StepFailure)) {
        throw error;
      }
      lastError = error.error;
    }
  }
  throw new StepFailure({
    code: 'RETRIES_EXHAUSTED',
    message: `Step '${step.step.id}' failed ${step.attempts} times.`,
    step_id: step.id,
    last_error: lastError,
  });
}
