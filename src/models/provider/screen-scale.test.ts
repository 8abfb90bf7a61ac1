import { describe, expect, it } from 'vitest';

import { mapToolUse } from '../anthropic/anthropic-actions.js';
import { familyOf, scaleFor } from '../compatible/gui-model-family.js';
import { parseQwen } from '../compatible/qwen-parser.js';
import { parseUiTars } from '../compatible/ui-tars-parser.js';
import { mapComputerAction } from '../openai/openai-actions.js';
import type { ModelAction } from '../model.js';
import { fitSize } from './model-image.js';
import { ScreenScale, smartResize } from './screen-scale.js';

const screen = { width: 1920, height: 1080 };
const fitted = fitSize(1920, 1080, { fitWidthPx: 1280, fitHeightPx: 800, maxBase64Bytes: 1 });
const sentScale = new ScreenScale(1920, 1080, fitted.width, fitted.height);

const anthropic = (input: Record<string, unknown>) =>
  mapToolUse({ id: 't', name: 'computer', input }, { scale: sentScale, pointer: { x: 0, y: 0 } })
    .actions;
const openai = (action: Record<string, unknown>) => {
  const mapped = mapComputerAction(action, sentScale);
  return mapped.ok ? mapped.actions : [];
};
const gui = (model: string, reply: string): ModelAction[] => {
  const family = familyOf(model);
  const scale = scaleFor(family.coordinates, screen, screen);
  const parsed =
    family.format === 'ui-tars' ? parseUiTars(reply) : parseQwen(reply, { x: 0, y: 0 });
  return parsed.actions.map((action) => scale.actionToScreen(action));
};
const qwenCall = (args: Record<string, unknown>) =>
  `<tool_call>${JSON.stringify({ name: 'computer_use', arguments: args })}</tool_call>`;

describe('coordinates scaled back to a 1920×1080 screen', () => {
  it('sends the screen to Anthropic and OpenAI as 1280×720, and UI-TARS sees 1932×1092', () => {
    expect(fitted).toEqual({ width: 1280, height: 720 });
    expect(smartResize(1920, 1080)).toEqual({ width: 1932, height: 1092 });
    expect(smartResize(1280, 800)).toEqual({ width: 1288, height: 812 });
  });

  const cases: Array<[string, () => ModelAction[], ModelAction[]]> = [
    [
      'anthropic click',
      () => anthropic({ action: 'left_click', coordinate: [640, 360] }),
      [{ type: 'click', x: 960, y: 540, button: 'left' }],
    ],
    [
      'anthropic drag, both ends',
      () =>
        anthropic({ action: 'left_click_drag', start_coordinate: [0, 0], coordinate: [640, 360] }),
      [{ type: 'drag', from: { x: 0, y: 0 }, to: { x: 960, y: 540 } }],
    ],
    [
      'anthropic scroll anchor',
      () =>
        anthropic({
          action: 'scroll',
          coordinate: [320, 180],
          scroll_direction: 'up',
          scroll_amount: 2,
        }),
      [{ type: 'scroll', x: 480, y: 270, delta_x: 0, delta_y: -200 }],
    ],
    [
      'anthropic move to the far corner stays on the screen',
      () => anthropic({ action: 'mouse_move', coordinate: [1280, 720] }),
      [{ type: 'move', x: 1919, y: 1079 }],
    ],
    [
      'openai click',
      () => openai({ type: 'click', button: 'left', x: 640, y: 360 }),
      [{ type: 'click', x: 960, y: 540, button: 'left' }],
    ],
    [
      'openai drag path',
      () =>
        openai({
          type: 'drag',
          path: [
            { x: 100, y: 100 },
            { x: 300, y: 200 },
            { x: 640, y: 360 },
          ],
        }),
      [{ type: 'drag', from: { x: 150, y: 150 }, to: { x: 960, y: 540 } }],
    ],
    [
      'openai scroll anchor',
      () => openai({ type: 'scroll', x: 640, y: 360, scroll_x: 0, scroll_y: 300 }),
      [{ type: 'scroll', x: 960, y: 540, delta_x: 0, delta_y: 300 }],
    ],
    [
      'UI-TARS-1.5 in resized pixels',
      () => gui('ui-tars-1.5-7b', "Action: click(start_box='(966,546)')"),
      [{ type: 'click', x: 960, y: 540, button: 'left' }],
    ],
    [
      'UI-TARS-1.5 drag',
      () =>
        gui(
          'UI-TARS-1.5',
          "Action: drag(start_box='(0,0)', end_box='<|box_start|>(966,546)<|box_end|>')",
        ),
      [{ type: 'drag', from: { x: 0, y: 0 }, to: { x: 960, y: 540 } }],
    ],
    [
      'UI-TARS 1.0 on the 0-1000 grid',
      () => gui('ui-tars-72b-dpo', "Action: click(start_box='(500,500)')"),
      [{ type: 'click', x: 960, y: 540, button: 'left' }],
    ],
    [
      'UI-TARS box centre',
      () => gui('ui-tars-7b-sft', "Action: left_double(start_box='[400,400,600,600]')"),
      [{ type: 'double_click', x: 960, y: 540 }],
    ],
    [
      'Qwen2.5-VL in resized pixels',
      () =>
        gui('Qwen2.5-VL-7B-Instruct', qwenCall({ action: 'left_click', coordinate: [966, 546] })),
      [{ type: 'click', x: 960, y: 540, button: 'left' }],
    ],
    [
      'Qwen3-VL on the 0-1000 grid, scroll anchor',
      () => gui('qwen3-vl-8b', qwenCall({ action: 'scroll', coordinate: [500, 500], pixels: 200 })),
      [{ type: 'scroll', x: 960, y: 540, delta_x: 0, delta_y: -200 }],
    ],
  ];

  it.each(cases)('%s', (_name, map, expected) => {
    expect(map()).toEqual(expected);
  });

  it('holds the modifiers an Anthropic click names, and refuses a name that is none', () => {
    expect(anthropic({ action: 'left_click', coordinate: [640, 360], text: 'ctrl+Shift' })).toEqual(
      [{ type: 'click', x: 960, y: 540, button: 'left', modifiers: ['ctrl', 'shift'] }],
    );
    expect(anthropic({ action: 'left_click', coordinate: [640, 360], text: 'hyper' })).toEqual([]);
  });

  it('lets the operator override the family a model name suggests', () => {
    expect(familyOf('my-finetune', { format: 'ui-tars', coordinates: 'grid-1000' })).toEqual({
      format: 'ui-tars',
      coordinates: 'grid-1000',
    });
    expect(familyOf('qwen2.5-vl-72b')).toEqual({ format: 'qwen', coordinates: 'resized-pixels' });
  });
});
