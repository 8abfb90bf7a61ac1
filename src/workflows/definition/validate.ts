import type { z } from 'zod';

import { AppError } from '../../errors/index.js';
import { ExpressionError, compile, templateExpressions } from './expressions.js';
import { DefinitionSchema } from './steps.js';
import type { Definition, Step } from './steps.js';
import { walkSteps } from './walk.js';

/** Where a problem is: the step (if any), the field inside it, and the full path. */
interface Problem {
  message: string;
  path: Array<string | number>;
}

/**
 * Checks a definition and returns it typed; a problem is a 422 whose message and details
 * name the step (`step_id`) and the field inside it, so the author can find it.
 */
export function validateDefinition(raw: unknown, field = 'definition'): Definition {
  const parsed = DefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    throw problemError(raw, field, fromIssue(parsed.error.issues[0]));
  }
  const problem = findProblem(parsed.data);
  if (problem) {
    throw problemError(raw, field, problem);
  }
  return parsed.data;
}

function fromIssue(issue: z.core.$ZodIssue | undefined): Problem {
  const path = (issue?.path ?? []).map((part) => (typeof part === 'symbol' ? String(part) : part));
  // An unknown field is pointed at by name, so the author sees which one.
  const unknown = issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
  return { message: issue?.message ?? 'is not valid', path: [...path, ...unknown] };
}

function findProblem(definition: Definition): Problem | undefined {
  const seen = new Map<string, Array<string | number>>();
  let problem: Problem | undefined;
  walkSteps(definition.steps, ['steps'], (step, path) => {
    if (problem) {
      return;
    }
    if (seen.has(step.id)) {
      problem = { message: `step id '${step.id}' is used twice`, path: [...path, 'id'] };
      return;
    }
    seen.set(step.id, path);
    problem = expressionProblem(step, path) ?? parallelProblem(step, path);
  });
  if (!problem) {
    for (const [name, source] of Object.entries(definition.output ?? {})) {
      problem ??= checkExpression(source, ['output', name]);
    }
  }
  return problem;
}

function expressionProblem(step: Step, path: Array<string | number>): Problem | undefined {
  const fields: Array<[string, string | undefined]> =
    step.type === 'if' || step.type === 'assert'
      ? [['condition', step.condition]]
      : step.type === 'loop'
        ? [
            ['over', step.over],
            ['while', step.while],
          ]
        : [];
  for (const [field, source] of fields) {
    const problem = source === undefined ? undefined : checkExpression(source, [...path, field]);
    if (problem) {
      return problem;
    }
  }
  if (step.type === 'task') {
    for (const field of ['task', 'instructions', 'system_prompt', 'machine_id'] as const) {
      const problem = checkTemplate(step[field], [...path, field]);
      if (problem) {
        return problem;
      }
    }
  }
  return undefined;
}

function parallelProblem(step: Step, path: Array<string | number>): Problem | undefined {
  if (step.type !== 'parallel') {
    return undefined;
  }
  const machines = step.branches.map((branch) => branch.machine_id);
  const repeated = machines.findIndex(
    (machine, index) => machine !== undefined && machines.indexOf(machine) !== index,
  );
  if (repeated >= 0) {
    return {
      message: 'parallel branches run on different machines; this one repeats an earlier one',
      path: [...path, 'branches', repeated, 'machine_id'],
    };
  }
  return undefined;
}

function checkTemplate(text: string | null | undefined, path: Array<string | number>) {
  for (const source of templateExpressions(text ?? '')) {
    const problem = checkExpression(source, path);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

function checkExpression(source: string, path: Array<string | number>): Problem | undefined {
  try {
    compile(source);
    return undefined;
  } catch (error) {
    const at = error instanceof ExpressionError && error.position ? ` at ${error.position}` : '';
    return { message: `expression does not parse${at}: ${(error as Error).message}`, path };
  }
}

function problemError(raw: unknown, field: string, problem: Problem): AppError {
  const { stepId, stepPath, inner } = locate(raw, problem.path);
  const fullPath = `${field}${formatPath(problem.path)}`;
  const fieldName = inner.length ? `, field ${inner.join('.')}` : '';
  const where = stepId
    ? `Step '${stepId}' (${field}${formatPath(stepPath)})${fieldName}`
    : fullPath;
  return new AppError('VALIDATION_ERROR', `${where}: ${problem.message}.`, {
    details: {
      step_id: stepId ?? null,
      field: inner.length ? inner.join('.') : null,
      path: fullPath,
      issues: [{ path: fullPath, message: problem.message }],
    },
  });
}

/** The innermost step object on the path, and the rest of the path inside it. */
function locate(raw: unknown, path: Array<string | number>) {
  let node: unknown = raw;
  let stepId: string | undefined;
  let stepPath: Array<string | number> = [];
  path.forEach((part, index) => {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    const candidate = node as { id?: unknown; type?: unknown } | undefined;
    if (candidate && typeof candidate === 'object' && typeof candidate.id === 'string') {
      if (typeof candidate.type === 'string') {
        stepId = candidate.id;
        stepPath = path.slice(0, index + 1);
      }
    }
  });
  return { stepId, stepPath, inner: path.slice(stepPath.length).map(String) };
}

function formatPath(path: Array<string | number>): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
}
