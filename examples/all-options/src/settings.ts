import * as z from 'zod';

/**
 * Your settings: the environment variables your own tools and services read. This file is yours:
 * create-mcp-prod writes it once and never checks or changes it again. `src/config.ts` adds these
 * entries to the server's own variables, validates them all once at start-up (a bad value stops
 * the server with a message naming the variable) and hands the result to your code as
 * `services.config.settings`. One entry per variable, named after it: its zod output is the
 * setting's type, its default the value when the variable is unset or empty, e.g.
 *
 *   WEATHER_API_URL: z.url().default('https://api.example.com').describe('Where forecasts come from.'),
 */
export const settingsSchema = z.object({});

export type Settings = z.output<typeof settingsSchema>;

/** Settings whose values must never appear in logs or error messages (tokens, passwords). */
export const SECRET_SETTINGS: readonly string[] = [];
