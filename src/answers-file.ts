import { open } from 'node:fs/promises';
import { expectString, expectStringOrList, parseLayer, type AnswerLayer, type RawAnswers } from './answers.js';
import { CliError, ExitCode, usageError } from './errors.js';

/** `--answers <file.json>`: the keys it may hold (the flags' names; `transports` as `.mcp-prod.json` records it). */
const ANSWER_FILE_KEYS = ['name', 'description', 'transport', 'transports', 'db'];

/** Far above any real answers file, far below what would hurt to read into memory. */
export const MAX_ANSWERS_BYTES = 64 * 1024;

/** The answers file as a layer; every error about it starts with "answers file <file>". */
export async function readAnswersFile(file: string): Promise<AnswerLayer> {
  const where = `answers file ${file}`;
  const text = await readAnswersText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw usageError(`${where} is not valid JSON`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw usageError(`${where} must hold a JSON object`);
  }
  const record = data as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !ANSWER_FILE_KEYS.includes(key));
  if (unknown.length > 0) throw usageError(`${where} has unknown key "${unknown[0]}"`);
  if (record.transport !== undefined && record.transports !== undefined) throw usageError(`${where} has both "transport" and "transports"; keep one`);
  const transports = record.transports ?? record.transport;
  const raw: RawAnswers = {
    ...(record.name !== undefined && { name: expectString(record.name, 'name', where) }),
    ...(record.description !== undefined && { description: expectString(record.description, 'description', where) }),
    ...(transports !== undefined && { transports: expectStringOrList(transports, 'transport', where) }),
    ...(record.db !== undefined && { db: expectString(record.db, 'db', where) }),
  };
  return parseLayer('file', raw, where);
}

/**
 * The file's text, read only up to the size cap (a huge file is refused, not loaded). A UTF-8 byte
 * order mark, which some editors write, is dropped.
 */
async function readAnswersText(file: string): Promise<string> {
  const unreadable = (error: unknown) =>
    new CliError(`cannot read answers file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, ExitCode.noInput);
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw unreadable(error);
  });
  try {
    const buffer = Buffer.alloc(MAX_ANSWERS_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length).catch((error: unknown) => {
        throw unreadable(error);
      });
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_ANSWERS_BYTES) throw usageError(`answers file ${file} is larger than ${MAX_ANSWERS_BYTES / 1024} KiB; it should hold a few answers`);
    }
    return buffer.subarray(0, length).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}
