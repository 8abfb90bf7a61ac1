import { humanNoteMessage, taskMessage } from '../provider/agent-prompt.js';
import { answerCalls } from '../provider/call-record.js';
import type { CallAnswer, CallRecord } from '../provider/call-record.js';
import type { ModelImage } from '../provider/model-image.js';
import type { ModelInput, StepRecord } from '../model.js';

/** What a step of Anthropic's stores: its reply's content blocks and how its calls mapped. */
export interface AnthropicTranscript {
  provider: 'anthropic';
  content: Array<Record<string, unknown>>;
  calls: CallRecord[];
}

export type Block = Record<string, unknown>;
export interface Message {
  role: 'user' | 'assistant';
  content: Block[];
}

/** The images a request may show: the screen each step started with, and zoomed regions. */
export interface ImageSource {
  screen(step: number): ModelImage | undefined;
  zoom(callId: string): ModelImage | undefined;
}

/**
 * The conversation of a run so far: the task with the first screen, then each step's reply
 * and the answers to all of its calls, the screen after the step on the last answer.
 */
export function buildMessages(input: ModelInput, images: ImageSource): Message[] {
  const messages: Message[] = [
    { role: 'user', content: [text(taskMessage(input)), ...imageBlocks(images.screen(1), 1)] },
  ];
  for (const record of input.history) {
    const after = record.step + 1;
    const note = after === input.step ? input.humanNote : null;
    messages.push(...stepMessages(record, images, note));
  }
  if (input.history.length === 0 && input.humanNote) {
    messages[0]?.content.push(text(humanNoteMessage(input.humanNote)));
  }
  return messages;
}

function stepMessages(record: StepRecord, images: ImageSource, note: string | null): Message[] {
  const transcript = transcriptOf(record);
  const screen = imageBlocks(images.screen(record.step + 1), record.step + 1);
  const noteBlocks = note ? [text(humanNoteMessage(note))] : [];
  if (!transcript || transcript.calls.length === 0) {
    const said = transcript?.content ?? [text(describeForeignStep(record))];
    const prompt = noteBlocks.length > 0 ? noteBlocks : [text('Continue.')];
    return [
      { role: 'assistant', content: said },
      { role: 'user', content: [...prompt, ...screen] },
    ];
  }
  const answers = answerCalls(transcript.calls, record.outcomes);
  const results = answers.map((answer, index) =>
    toolResult(answer, images, index === answers.length - 1 ? screen : []),
  );
  return [
    { role: 'assistant', content: transcript.content },
    { role: 'user', content: [...results, ...noteBlocks] },
  ];
}

function toolResult(answer: CallAnswer, images: ImageSource, screen: Block[]): Block {
  const zoom = answer.call.kind === 'zoom' ? imageBlocks(images.zoom(answer.call.id), 0) : [];
  return {
    type: 'tool_result',
    tool_use_id: answer.call.id,
    content: [text(answer.text), ...zoom, ...screen],
    ...(answer.isError ? { is_error: true } : {}),
  };
}

function transcriptOf(record: StepRecord): AnthropicTranscript | undefined {
  const transcript = record.decision.transcript as AnthropicTranscript | undefined;
  return transcript?.provider === 'anthropic' ? transcript : undefined;
}

/** A step another model decided, told as text. */
function describeForeignStep(record: StepRecord): string {
  return `(Step ${record.step}: ${JSON.stringify(record.decision.actions)})`;
}

function imageBlocks(image: ModelImage | undefined, step: number): Block[] {
  if (!image) {
    return step > 0 ? [text(`[The screenshot of step ${step} is no longer available.]`)] : [];
  }
  return [
    {
      type: 'image',
      source: { type: 'base64', media_type: image.mediaType, data: image.base64 },
    },
  ];
}

export function text(value: string): Block {
  return { type: 'text', text: value };
}

/**
 * Keeps the last `kept` images of the conversation and replaces each older one with a line
 * of text, so a long run's requests stay within the provider's limits. Tool results keep
 * their text, so every call still has its answer.
 */
export function keepLastImages(messages: Message[], kept: number): void {
  let seen = 0;
  const trim = (block: Block): Block => {
    if (block.type === 'tool_result' && Array.isArray(block.content)) {
      return { ...block, content: newestFirst(block.content as Block[], trim) };
    }
    if (block.type !== 'image') {
      return block;
    }
    seen += 1;
    return seen <= kept ? block : text('[An older screenshot was removed to save space.]');
  };
  for (const message of [...messages].reverse()) {
    message.content = newestFirst(message.content, trim);
  }
}

/** Maps the blocks last to first (so the newest images are counted first), order kept. */
function newestFirst(blocks: Block[], map: (block: Block) => Block): Block[] {
  return [...blocks].reverse().map(map).reverse();
}
