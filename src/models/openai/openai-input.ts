import type { ModelAction, ModelInput, StepRecord } from '../model.js';
import { humanNoteMessage, taskMessage } from '../provider/agent-prompt.js';
import { answerCalls } from '../provider/call-record.js';
import type { CallRecord } from '../provider/call-record.js';
import type { ModelImage } from '../provider/model-image.js';

export type Item = Record<string, unknown>;

/** What a step of OpenAI's stores: its reply's output items and how its calls mapped. */
export interface OpenAiTranscript {
  provider: 'openai';
  output: Item[];
  calls: CallRecord[];
  /** The calls wait for a human to acknowledge these safety checks; nothing was performed. */
  held?: { checks: Item[]; actions: ModelAction[] };
  /** This step performed the held calls of that step, once a human resumed the run. */
  resumes?: number;
  /** What the human said when resuming. */
  note?: string | null;
}

/** One step's part of the input: in full, or told as text when its screenshots are dropped. */
interface Segment {
  items: Item[];
  images: number;
  compact: Item[];
}

export function transcriptOf(record: StepRecord | undefined): OpenAiTranscript | undefined {
  const transcript = record?.decision.transcript as OpenAiTranscript | undefined;
  return transcript?.provider === 'openai' ? transcript : undefined;
}

/**
 * The whole conversation as Responses API input: the task with the first screen, then each
 * step's output items and an output for every call. Only the newest steps that fit within
 * `imagesKept` screenshots are sent in full; older ones, calls and outputs together, become
 * a line of text, so no call is ever sent without its output.
 */
export function buildInput(
  input: ModelInput,
  screen: (step: number) => ModelImage | undefined,
  imagesKept: number,
): Item[] {
  const segments: Segment[] = [openingSegment(input, screen(1))];
  for (const record of input.history) {
    const segment = stepSegment(record, input, screen);
    if (segment) {
      segments.push(segment);
    }
  }
  let used = 0;
  let compacting = false;
  const kept = [...segments].reverse().map((segment) => {
    compacting ||= used + segment.images > imagesKept;
    used += compacting ? 0 : segment.images;
    return compacting ? segment.compact : segment.items;
  });
  return kept.reverse().flat();
}

function openingSegment(input: ModelInput, image: ModelImage | undefined): Segment {
  const task = { type: 'input_text', text: taskMessage(input) };
  const note = input.history.length === 0 && input.humanNote ? [noteItem(input.humanNote)] : [];
  return {
    items: [{ role: 'user', content: [task, ...imageContent(image)] }, ...note],
    images: image ? 1 : 0,
    compact: [{ role: 'user', content: [task] }, ...note],
  };
}

function stepSegment(
  record: StepRecord,
  input: ModelInput,
  screen: (step: number) => ModelImage | undefined,
): Segment | undefined {
  const transcript = transcriptOf(record);
  if (transcript?.resumes !== undefined) {
    return undefined;
  }
  const resume = transcript?.held
    ? input.history.find((other) => transcriptOf(other)?.resumes === record.step)
    : undefined;
  const performed = resume ?? record;
  const after = screen(performed.step + 1);
  const note = noteAfter(performed, input, resume);
  const compact = [
    { role: 'assistant', content: `(Step ${record.step}: ${said(record)})` },
    ...note,
  ];
  if (!transcript || (transcript.held && !resume)) {
    return { items: compact, images: 0, compact };
  }
  if (transcript.calls.length === 0) {
    const prompt = note.length > 0 ? note : [{ role: 'user', content: 'Continue.' }];
    const look = after ? [{ role: 'user', content: imageContent(after) }] : [];
    return { items: [...transcript.output, ...prompt, ...look], images: after ? 1 : 0, compact };
  }
  const checks = transcript.held?.checks ?? [];
  const outputs = callOutputs(transcript, performed, after, checks);
  return {
    items: [...transcript.output, ...outputs.items, ...note],
    images: outputs.images,
    compact,
  };
}

function callOutputs(
  transcript: OpenAiTranscript,
  performed: StepRecord,
  after: ModelImage | undefined,
  checks: Item[],
): { items: Item[]; images: number } {
  const answers = answerCalls(transcript.calls, performed.outcomes);
  // A computer_call_output carries only a screenshot: failures are told in a message after.
  const failures = answers
    .filter((answer) => answer.isError)
    .map((answer) => ({ role: 'user', content: `Call ${answer.call.id}: ${answer.text}` }));
  let images = 0;
  const items = answers.map((answer) => {
    const item = transcript.output.find((output) => output.call_id === answer.call.id);
    if (item?.type === 'function_call') {
      return { type: 'function_call_output', call_id: answer.call.id, output: answer.text };
    }
    images += after ? 1 : Infinity;
    return {
      type: 'computer_call_output',
      call_id: answer.call.id,
      ...(checks.length > 0 ? { acknowledged_safety_checks: checks } : {}),
      output: { type: 'computer_screenshot', image_url: dataUrl(after) },
    };
  });
  return { items: [...items, ...failures], images };
}

function noteAfter(performed: StepRecord, input: ModelInput, resume?: StepRecord): Item[] {
  const note = resume ? transcriptOf(resume)?.note : null;
  const later = performed.step + 1 === input.step ? input.humanNote : null;
  return [note, later].filter((text): text is string => !!text).map(noteItem);
}

function noteItem(note: string): Item {
  return { role: 'user', content: humanNoteMessage(note) };
}

function said(record: StepRecord): string {
  const text = record.decision.text ? `said "${record.decision.text}"; ` : '';
  const actions = record.decision.actions.map((action) => JSON.stringify(action)).join(', ');
  return `${text}actions: ${actions || 'none'}`;
}

function imageContent(image: ModelImage | undefined): Item[] {
  return image ? [{ type: 'input_image', image_url: dataUrl(image), detail: 'high' }] : [];
}

function dataUrl(image: ModelImage | undefined): string {
  return image ? `data:${image.mediaType};base64,${image.base64}` : '';
}
