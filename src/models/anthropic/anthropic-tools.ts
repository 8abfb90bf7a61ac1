/** The computer-use tool versions this adapter speaks. */
export type ComputerToolVersion = '20250124' | '20251124';

// Claude 4 models up to Sonnet 4.5 / Opus 4.1 / Haiku 4.5, and Sonnet 3.7, take the January
// tool; Opus 4.5 and every later model take the November one (which adds zoom).
const januaryModels =
  /^claude-(3-7-sonnet|sonnet-4(-[0-5])?|opus-4(-[01])?|haiku-4-5)(-\d{8})?(-v\d+(:\d+)?)?$/;

/** The tool version a model takes, unless the operator names one. */
export function toolVersionFor(model: string): ComputerToolVersion {
  const bare = model.replace(/^(anthropic|us|eu|apac)\./, '').replace(/@.*$/, '');
  return januaryModels.test(bare) ? '20250124' : '20251124';
}

/** The `anthropic-beta` header value that enables the tool version. */
export function betaHeaderFor(version: ComputerToolVersion): string {
  return version === '20251124' ? 'computer-use-2025-11-24' : 'computer-use-2025-01-24';
}

/** The tool definitions of a request: the computer at the size the model sees, and bash. */
export function toolsFor(version: ComputerToolVersion, display: { width: number; height: number }) {
  const computer = {
    type: `computer_${version}`,
    name: 'computer',
    display_width_px: display.width,
    display_height_px: display.height,
    ...(version === '20251124' ? { enable_zoom: true } : {}),
  };
  return [computer, { type: 'bash_20250124', name: 'bash' }];
}

export const toolHints =
  'The computer tool controls the screen. The bash tool runs commands in a persistent shell ' +
  'in your home directory on the same machine; prefer it for files and command-line work.';
