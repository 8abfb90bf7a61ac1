import { AppError } from '../../errors/index.js';
import { errorCode } from './resolve-path.js';

/** How file content travels as a string: text as UTF-8, or any bytes as base64. */
export type FileEncoding = 'utf8' | 'base64';

/** The default bound on one file read, write, edit or append: 10 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Turns content received as a string into the exact bytes to store. */
export function decodeContent(content: string, encoding: FileEncoding = 'utf8'): Buffer {
  if (typeof content !== 'string') {
    throw new AppError('VALIDATION_ERROR', 'The content must be a string.', {
      details: { field: 'content' },
    });
  }
  assertEncoding(encoding);
  if (encoding === 'utf8') {
    return Buffer.from(content, 'utf8');
  }

  // Buffer.from silently skips junk in base64, which would store something else than sent.
  const compact = content.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new AppError('VALIDATION_ERROR', 'The content is not valid base64.', {
      details: { field: 'content', encoding },
    });
  }
  return Buffer.from(compact, 'base64');
}

/** Turns stored bytes into a string in the requested encoding. */
export function encodeContent(bytes: Buffer, encoding: FileEncoding = 'utf8'): string {
  assertEncoding(encoding);
  return bytes.toString(encoding);
}

/** Decodes text that will be edited and written back, refusing bytes that would not survive. */
export function decodeTextStrictly(bytes: Buffer, shownPath: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new AppError(
      'VALIDATION_ERROR',
      `File '${shownPath}' is not valid UTF-8 text, so it cannot be edited; ` +
        'rewrite it with base64.',
      { details: { field: 'path' } },
    );
  }
}

/** Refuses a size above the limit with an error that names both numbers. */
export function assertSize(sizeBytes: number, limitBytes: number, what: string): void {
  if (sizeBytes > limitBytes) {
    throw new AppError(
      'VALIDATION_ERROR',
      `${what} is ${sizeBytes} bytes, above the limit of ${limitBytes} bytes.`,
      { details: { sizeBytes, limitBytes } },
    );
  }
}

/** Translates the file system's errors into API errors about the path the agent gave. */
export function translateFsError(error: unknown, shownPath: string): unknown {
  const name = shownPath === '' ? 'the home directory' : `'${shownPath}'`;
  switch (errorCode(error)) {
    case 'ENOENT':
      return new AppError('NOT_FOUND', `Nothing exists at ${name}.`, {
        cause: error,
        suggestion:
          'Paths are relative to the machine home; list a directory to see what is there.',
      });
    case 'ENAMETOOLONG':
      return new AppError('VALIDATION_ERROR', `${capitalize(name)} is too long a path.`, {
        cause: error,
      });
    case 'ENOTDIR':
      return new AppError('VALIDATION_ERROR', `A part of ${name} is not a directory.`, {
        cause: error,
      });
    case 'EISDIR':
      return new AppError('VALIDATION_ERROR', `${capitalize(name)} is a directory.`, {
        cause: error,
      });
    case 'ELOOP':
      return new AppError('VALIDATION_ERROR', `${capitalize(name)} is a symlink.`, {
        cause: error,
      });
    case 'ENOTEMPTY':
      return new AppError('INVALID_STATE', `Directory ${name} is not empty.`, { cause: error });
    case 'EEXIST':
      return new AppError('INVALID_STATE', `${capitalize(name)} exists already.`, { cause: error });
    default:
      return error;
  }
}

function assertEncoding(encoding: string): void {
  if (encoding !== 'utf8' && encoding !== 'base64') {
    throw new AppError('VALIDATION_ERROR', `Unknown encoding '${encoding}'; use utf8 or base64.`, {
      details: { field: 'encoding' },
    });
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
