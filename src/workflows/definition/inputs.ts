import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

import { validationError } from '../../errors/index.js';

type Schema = Record<string, unknown>;

/** A fresh validator each time: Ajv caches every schema it compiles, keyed by the object. */
function newValidator() {
  const ajv = new Ajv2020.default({ strict: false, allErrors: false });
  addFormats.default(ajv);
  return ajv;
}

/** Refuses an `inputs_schema` that is not a JSON Schema (2020-12) Ajv can compile. */
export function checkInputsSchema(schema: Schema | null | undefined, field: string): void {
  if (!schema) {
    return;
  }
  try {
    newValidator().compile(schema);
  } catch (error) {
    throw validationError(`${field} is not a valid JSON Schema: ${(error as Error).message}`, {
      field,
    });
  }
}

/** Refuses inputs that break the workflow's `inputs_schema`, naming the input at fault. */
export function checkInputs(schema: Schema | null | undefined, inputs: unknown): void {
  if (!schema) {
    return;
  }
  const validate = newValidator().compile(schema);
  if (validate(inputs)) {
    return;
  }
  const [first] = validate.errors ?? [];
  const where = `body.inputs${(first?.instancePath ?? '').replaceAll('/', '.')}`;
  throw validationError(`${where} ${first?.message ?? 'is not valid'}.`, {
    field: where,
    issues: (validate.errors ?? []).map((error) => ({
      path: `body.inputs${error.instancePath.replaceAll('/', '.')}`,
      message: error.message,
    })),
  });
}
