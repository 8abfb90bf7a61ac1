import { describe, expect, it } from 'vitest';

import type { ModelInput, StepOutcome, StepRecord } from '../model.js';
import type { ModelImage } from '../provider/model-image.js';
import { buildInput } from './openai-input.js';
import type { OpenAiTranscript } from './openai-input.js';

const image: ModelImage = { base64: 'AAAA', mediaType: 'image/png', width: 10, height: 10 };
const click = { type: 'click' as const, x: 1, y: 1, button: 'left' as const };
const check = { id: 'cu_sc_1', code: 'malicious_instructions', message: 'Confirm.' };

function call(id: string) {
  return { type: 'computer_call', call_id: id, action: { type: 'click', x: 1, y: 1 } };
}

function input(history: StepRecord[], humanNote: string | null = null): ModelInput {
  return {
    runId: 'r',
    step: history.length + 1,
    maxSteps: 10,
    task: 't',
    instructions: null,
    systemPrompt: null,
    observation: {
      screenshot: { format: 'png', data: Buffer.alloc(0), width: 10, height: 10 },
      settled: true,
    },
    history,
    humanNote,
    variables: {},
    secretNames: [],
  };
}

function record(
  step: number,
  transcript: OpenAiTranscript,
  outcomes: StepOutcome[] = [{ ok: true }],
): StepRecord {
  return { step, decision: { actions: [click], transcript }, outcomes };
}

describe('Responses API input', () => {
  it('sends a held call once, with its output acknowledging the checks after the resume', () => {
    const held = record(
      1,
      {
        provider: 'openai',
        output: [call('call_1')],
        calls: [{ id: 'call_1', actionCount: 1, kind: 'screen' }],
        held: { checks: [check], actions: [click] },
      },
      [],
    );
    const resumed = record(2, {
      provider: 'openai',
      output: [],
      calls: [{ id: 'call_1', actionCount: 1, kind: 'screen' }],
      resumes: 1,
      note: 'fine',
    });
    const items = buildInput(input([held, resumed]), () => image, 3);

    expect(items.filter((item) => item.type === 'computer_call')).toHaveLength(1);
    const outputs = items.filter((item) => item.type === 'computer_call_output');
    expect(outputs).toEqual([
      {
        type: 'computer_call_output',
        call_id: 'call_1',
        acknowledged_safety_checks: [check],
        output: { type: 'computer_screenshot', image_url: 'data:image/png;base64,AAAA' },
      },
    ]);
    expect(items.at(-1)).toEqual({ role: 'user', content: 'A human answered: fine' });
  });

  it('tells the model which actions of a call did not run', () => {
    const step = record(
      1,
      {
        provider: 'openai',
        output: [call('call_1')],
        calls: [{ id: 'call_1', actionCount: 2, kind: 'screen' }],
      },
      [{ ok: true }, { ok: false, error: 'Not performed: the run was interrupted.' }],
    );
    const items = buildInput(input([step]), () => image, 3);
    expect(items.at(-1)).toEqual({
      role: 'user',
      content:
        'Call call_1: Performed 1 of 2 actions; then: Not performed: the run was interrupted.',
    });
  });
});
