import { describe, expect, it } from 'vitest';

import type { ModelInput, StepRecord } from '../model.js';
import { LocalModel } from './local-model.js';
import type { TextLine } from './screen-text.js';

/** Screens are named by their bytes; each names the words OCR finds on it. */
const screens: Record<string, TextLine[]> = {
  loading: [],
  home: [{ words: [{ text: 'Sign', x: 100, y: 200, width: 40, height: 20 }] }],
};
screens.home![0]!.words.push({ text: 'Up', x: 150, y: 200, width: 30, height: 20 });

const model = new LocalModel({
  readScreenText: async (image) => screens[image.toString()] ?? [],
});

function input(screen: string, history: StepRecord[], humanNote: string | null = null) {
  return {
    runId: 'run',
    step: history.length + 1,
    maxSteps: 20,
    task: 'Click the Sign Up link and type your email',
    instructions: null,
    systemPrompt: null,
    observation: {
      screenshot: { format: 'png', data: Buffer.from(screen), width: 800, height: 600 },
      url: 'http://site.localhost/',
      settled: true,
    },
    history,
    humanNote,
    variables: {},
    secretNames: [],
  } satisfies ModelInput;
}

const signal = new AbortController().signal;

describe('the local model', () => {
  it('clicks a target that shows up after a wait, not taking the wait for it', async () => {
    const waited = await model.decide(input('loading', []), { signal });
    expect(waited.actions).toEqual([{ type: 'wait', ms: 1000 }]);

    const history = [{ step: 1, decision: waited, outcomes: [{ ok: true }] }];
    const clicked = await model.decide(input('home', history), { signal });
    expect(clicked.actions).toEqual([{ type: 'click', x: 140, y: 210, button: 'left' }]);
  });

  it('asks for a value it was not given and types the address from the human’s note', async () => {
    const click = await model.decide(input('home', []), { signal });
    const afterClick = [{ step: 1, decision: click, outcomes: [{ ok: true }] }];
    const asked = await model.decide(input('loading', afterClick), { signal });
    expect(asked.needsHuman?.reason).toMatch(/^What email should I type\?/);

    const history = [...afterClick, { step: 2, decision: asked, outcomes: [] }];
    const note = 'Sure: "ada@example.org" is mine.';
    const typed = await model.decide(input('loading', history, note), { signal });
    expect(typed.actions).toEqual([{ type: 'type', text: 'ada@example.org' }]);
  });
});
