import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AppError } from '../../errors/index.js';
import { evaluateCondition, render } from './expressions.js';
import { checkInputs } from './inputs.js';
import { validateDefinition } from './validate.js';

function refusal(definition: unknown): { message: string; details: any } {
  try {
    validateDefinition(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { message: (error as AppError).message, details: (error as AppError).details };
  }
  throw new Error('the definition was accepted');
}

describe('workflow definitions', () => {
  it('accepts every step type, nested', () => {
    const definition = validateDefinition({
      steps: [
        { id: 'login', type: 'task', task: 'log in as {{ inputs.user }}', machine_id: 'm1' },
        { id: 'ok', type: 'assert', condition: "steps.login.status = 'succeeded'" },
        {
          id: 'rows',
          type: 'loop',
          over: 'inputs.rows',
          max_iterations: 5,
          steps: [
            {
              id: 'again',
              type: 'retry',
              attempts: 3,
              step: { id: 'fill', type: 'task', task: 'fill {{ item }}' },
            },
          ],
        },
        {
          id: 'both',
          type: 'parallel',
          branches: [
            { machine_id: 'a', steps: [{ id: 'x', type: 'wait', seconds: 1 }] },
            { machine_id: 'b', steps: [{ id: 'y', type: 'human_approval' }] },
          ],
        },
        {
          id: 'branch',
          type: 'if',
          condition: 'true',
          then: [{ id: 'z', type: 'wait', seconds: 0 }],
        },
      ],
    });
    expect(definition.steps).toHaveLength(5);
  });

  it('names the nested step and the field at fault', () => {
    const missing = refusal({
      steps: [
        {
          id: 'outer',
          type: 'retry',
          attempts: 2,
          step: { id: 'inner', type: 'task', task: 42 },
        },
      ],
    });
    expect(missing.message).toMatch(/^Step 'inner' \(definition\.steps\[0\]\.step\), field task/);
    expect(missing.details).toMatchObject({ step_id: 'inner', field: 'task' });

    const twice = refusal({
      steps: [
        { id: 'same', type: 'wait', seconds: 1 },
        { id: 'same', type: 'wait', seconds: 1 },
      ],
    });
    expect(twice.details).toMatchObject({ step_id: 'same', path: 'definition.steps[1].id' });
  });

  it('refuses expressions that do not parse and branches sharing a machine', () => {
    const template = refusal({
      steps: [{ id: 'go', type: 'task', task: 'open {{ inputs.( }}', machine_id: 'm' }],
    });
    expect(template.details).toMatchObject({ step_id: 'go', field: 'task' });
    const shared = refusal({
      steps: [
        {
          id: 'fan',
          type: 'parallel',
          branches: [
            { machine_id: 'm', steps: [{ id: 'a', type: 'wait', seconds: 0 }] },
            { machine_id: 'm', steps: [{ id: 'b', type: 'wait', seconds: 0 }] },
          ],
        },
      ],
    });
    expect(shared.details).toMatchObject({ step_id: 'fan', field: 'branches.1.machine_id' });
  });

  it('evaluates expressions over a scope, with no way out to the host', async () => {
    const scope = { inputs: { rows: [1, 2] }, steps: { a: { status: 'succeeded' } } };
    expect(await evaluateCondition("steps.a.status = 'succeeded'", scope)).toBe(true);
    expect(await render('{{ $count(inputs.rows) }} rows of {{ inputs.rows }}', scope)).toBe(
      '2 rows of [1,2]',
    );
    // $eval evaluates JSONata, not JavaScript: the host's globals stay out of reach.
    expect(await render('{{ process }}{{ require }}{{ $eval }}', scope)).toBe('');
    expect(await render('{{ $eval("process.exit()") }}', scope)).toBe('');
    await expect(evaluateCondition('$count(', scope)).rejects.toThrow(/position|S0/);
  });

  it('checks inputs against the inputs schema', () => {
    const schema = { type: 'object', required: ['rows'], properties: { rows: { type: 'array' } } };
    expect(() => checkInputs(schema, { rows: [] })).not.toThrow();
    expect(() => checkInputs(schema, { rows: 'x' })).toThrow(/body\.inputs\.rows must be array/);
  });

  it('accepts the worked examples of the documentation', () => {
    const page = readFileSync(join(import.meta.dirname, '../../../docs/workflows.md'), 'utf8');
    const examples = [...page.matchAll(/```json\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? '')
      .filter((block) => block.includes('"steps"'))
      .map((block) => JSON.parse(block) as unknown);
    expect(examples).toHaveLength(3);
    for (const example of examples) {
      expect(() => validateDefinition(example)).not.toThrow();
    }
  });
});
