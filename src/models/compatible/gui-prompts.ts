import type { ModelInput } from '../model.js';
import type { GuiModelFamily } from './gui-model-family.js';

/** The prompt UI-TARS was trained to follow, with its action space, then the task. */
export function uiTarsPrompt(input: ModelInput): string {
  return [
    'You are a GUI agent. You get a task, your earlier actions and screenshots, and you ' +
      'choose the next action.',
    '',
    '## Output Format',
    'Thought: ...',
    'Action: ...',
    '',
    '## Action Space',
    "click(start_box='<|box_start|>(x1,y1)<|box_end|>')",
    "left_double(start_box='<|box_start|>(x1,y1)<|box_end|>')",
    "right_single(start_box='<|box_start|>(x1,y1)<|box_end|>')",
    "drag(start_box='<|box_start|>(x1,y1)<|box_end|>', end_box='<|box_start|>(x3,y3)<|box_end|>')",
    "hotkey(key='')",
    "type(content='') # end content with \\n to submit",
    "scroll(start_box='<|box_start|>(x1,y1)<|box_end|>', direction='down or up or right or left')",
    'wait() # sleeps 5 s, then a screenshot shows any change',
    "finished(content='xxx') # escape \\', \\\" and \\n in content",
    'call_user() # when the task cannot be done or a person must help',
    '',
    '## Note',
    '- Write the Thought in English: a short plan, then the next action and its target.',
    ...extraNotes(input),
    '',
    '## User Instruction',
    input.task,
  ].join('\n');
}

/** Qwen-VL's system prompt: the computer_use function in its tool-call format. */
export function qwenSystemPrompt(
  input: ModelInput,
  family: GuiModelFamily,
  space: { width: number; height: number },
): string {
  const where =
    family.coordinates === 'grid-1000'
      ? 'Coordinates are on a 0-1000 grid over the screen in both directions.'
      : `The screen's resolution is ${space.width}x${space.height}.`;
  const tool = {
    type: 'function',
    function: {
      name: 'computer_use',
      description: `Use a mouse and keyboard to interact with a computer. ${where}`,
      parameters: {
        type: 'object',
        required: ['action'],
        properties: {
          action: {
            type: 'string',
            enum: [
              'key',
              'type',
              'mouse_move',
              'left_click',
              'left_click_drag',
              'right_click',
              'middle_click',
              'double_click',
              'scroll',
              'wait',
              'terminate',
            ],
          },
          keys: { type: 'array', description: 'For key: the keys pressed together.' },
          text: { type: 'string', description: 'For type: the text.' },
          coordinate: { type: 'array', description: '(x, y) to move the mouse to.' },
          pixels: { type: 'number', description: 'For scroll: positive up, negative down.' },
          time: { type: 'number', description: 'For wait: seconds.' },
          status: { type: 'string', enum: ['success', 'failure'], description: 'For terminate.' },
        },
      },
    },
  };
  return [
    input.systemPrompt ?? 'You are a helpful assistant operating a computer.',
    '',
    '# Tools',
    '',
    'You may call one or more functions to assist with the user query.',
    '',
    'You are provided with function signatures within <tools></tools> XML tags:',
    '<tools>',
    JSON.stringify(tool),
    '</tools>',
    '',
    'For each function call, return a json object with function name and arguments within ' +
      '<tool_call></tool_call> XML tags:',
    '<tool_call>',
    '{"name": <function-name>, "arguments": <args-json-object>}',
    '</tool_call>',
    ...extraNotes(input),
  ].join('\n');
}

function extraNotes(input: ModelInput): string[] {
  const names = [...Object.keys(input.variables), ...input.secretNames];
  const notes = names.length > 0 ? [`- Type a named value as {{name}}: ${names.join(', ')}.`] : [];
  return input.instructions ? [...notes, `- ${input.instructions}`] : notes;
}
