/**
 * Fix 1: every tool definition is sent to the model before the user's first message, for every
 * server the client connects. These limits keep this server's share small; `npm run audit:tools`
 * and test/tools/budget.test.ts fail when a tool goes over them.
 */
export const TOOL_BUDGET = {
  /** Characters in one tool's description. */
  maxDescriptionChars: 50,
  /** Top-level fields in one tool's input schema. */
  maxInputFields: 5,
  /** Estimated tokens for one tool's whole definition (name, title, description, schema). */
  maxTokensPerTool: 250,
  /** Estimated tokens for all tools together. */
  maxTotalTokens: 2_500,
} as const;

/** A deliberately simple estimate (about 4 characters per token for JSON and English); good for budgets, not billing. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
