import { existsSync, readFileSync } from 'node:fs';

import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export type Json = Record<string, any>;

export interface ProblemType {
  status: number;
  type: string;
  retryable: boolean;
}

/**
 * The reference's error catalogue by code. The file is a flat YAML list; reading its three
 * scalar fields per entry needs no YAML library.
 */
export function readProblemTypes(file: string): Map<string, ProblemType> {
  const problems = new Map<string, ProblemType>();
  if (!existsSync(file)) {
    return problems;
  }
  const entries = readFileSync(file, 'utf8')
    .split(/\n- (?=status:)/)
    .slice(1);
  for (const entry of entries) {
    const field = (name: string) => new RegExp(`^\\s*${name}: *(\\S+)`, 'm').exec(entry)?.[1];
    const code = field('code');
    if (code) {
      problems.set(code, {
        status: Number(field('status')),
        type: String(field('type')),
        retryable: field('retryable') === 'true',
      });
    }
  }
  return problems;
}

export type Method = 'get' | 'post' | 'delete' | 'patch' | 'put';

/** The reference document, compiled once, answering "which schema does this response obey?" */
export class Reference {
  private readonly ajv = new Ajv2020.default({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: Json) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document, 'coasty');
  }

  operation(method: Method, template: string): Json {
    const operation = this.document.paths?.[template]?.[method];
    if (!operation) {
      throw new Error(`The reference has no operation ${method.toUpperCase()} ${template}.`);
    }
    return operation;
  }

  operationIds(): Set<string> {
    const ids = new Set<string>();
    for (const item of Object.values<Json>(this.document.paths)) {
      for (const operation of Object.values<Json>(item)) {
        if (typeof operation?.operationId === 'string') {
          ids.add(operation.operationId);
        }
      }
    }
    return ids;
  }

  /**
   * The validator of the JSON body the reference documents for this operation and status; an
   * error status the reference does not list is held against `ApiError`.
   */
  validatorFor(method: Method, template: string, status: number): ValidateFunction {
    const pointer = this.schemaPointer(method, template, status);
    const known = this.validators.get(pointer);
    if (known) {
      return known;
    }
    const validator = this.ajv.compile({ $ref: `coasty#${pointer}` });
    this.validators.set(pointer, validator);
    return validator;
  }

  private schemaPointer(method: Method, template: string, status: number): string {
    const responses = this.operation(method, template).responses ?? {};
    let segments = ['paths', template, method, 'responses', String(status)];
    let response: Json | undefined = responses[String(status)];
    if (!response) {
      if (status < 400) {
        throw new Error(`The reference lists no ${status} for ${method} ${template}.`);
      }
      return '/components/schemas/ApiError';
    }
    if (typeof response.$ref === 'string') {
      segments = response.$ref.replace(/^#\//, '').split('/').map(unescapePointer);
      response = this.resolve(segments);
    }
    if (!response?.content?.['application/json']?.schema) {
      throw new Error(`The reference has no JSON body for ${status} of ${method} ${template}.`);
    }
    return toPointer([...segments, 'content', 'application/json', 'schema']);
  }

  private resolve(segments: string[]): Json | undefined {
    return segments.reduce<any>((node, segment) => node?.[segment], this.document);
  }
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function toPointer(segments: string[]): string {
  return segments
    .map((segment) => '/' + encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1')))
    .join('');
}

/** The method and path of the reference operation with this id. */
export function locate(document: Json, operationId: string): [string, string] {
  for (const [path, item] of Object.entries<Json>(document.paths)) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      if (operation?.operationId === operationId) {
        return [method.toUpperCase(), path];
      }
    }
  }
  throw new Error(`The reference has no operation ${operationId}.`);
}
