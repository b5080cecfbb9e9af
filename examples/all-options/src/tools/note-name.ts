import * as z from 'zod';
import { NOTE_NAME } from '../notes/store.js';

/**
 * A note name as tools accept it. The character check is a refinement, not `.regex()`: zod would
 * send the pattern in the tool's JSON Schema, and `\p{L}` (any letter) is a Unicode property
 * class that Python's `re`, most `jsonschema` validators and other non-JavaScript engines reject
 * as an invalid regex. The length limits are plain keywords every validator knows.
 */
export const noteName = z
  .string()
  .min(1)
  .max(64)
  .refine((name) => NOTE_NAME.test(name), { error: 'use 1-64 letters, digits, spaces, ".", "_" or "-"' })
  .describe('Note name');
