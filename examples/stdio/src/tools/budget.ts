/**
 * Every tool definition is sent to the model before the user's first message, for every
 * server the client connects. These limits keep this server's share small; `npm run audit:tools`
 * and test/tools/budget.test.ts fail when the tools go over them.
 *
 * Tokens are counted with the o200k_base encoding (scripts/tool-audit.ts), offline: an estimate,
 * since no offline tokenizer matches every model, but a far better one than characters / 4.
 */
export const TOOL_BUDGET = {
  /** Characters in one tool's description. */
  maxDescriptionChars: 50,
  /** Top-level fields in one tool's input schema. */
  maxInputFields: 5,
  /** Tokens of one tool's definition as `tools/list` sends it (names, description, schemas, annotations). */
  toolTokens: 300,
  /** Tokens of the whole `tools/list` result: what this server adds to every conversation. */
  totalTokens: 1_500,
} as const;

export type ToolBudget = typeof TOOL_BUDGET;
