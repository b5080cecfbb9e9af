import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';
import { ShuttingDownError } from '../lib/inflight.js';
import { capText, renderData, shrinkToFit } from '../lib/results.js';
import type { Services } from '../services.js';
import { callerOf } from './scopes.js';
import { errorResult, ToolError, type ToolDefinition } from './tool.js';

/**
 * Registers one tool with the SDK, wrapped so that every call is tracked (shutdown waits for it),
 * timed, and capped at `MAX_RESULT_CHARS` (no result floods the model's context) even if the tool
 * forgets to shape its own output. A thrown ToolError becomes a tool error the model can read;
 * anything else is logged with its stack and reported without internals.
 */
export function registerTool(server: McpServer, tool: ToolDefinition, services: Services): void {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool;
  const config = { title, description, inputSchema, ...(outputSchema && { outputSchema }), ...(annotations && { annotations }) };
  server.registerTool(name, config, async (input, ctx) => {
    let call;
    try {
      call = services.calls.begin(name, ctx.mcpReq.signal);
    } catch (error) {
      if (error instanceof ShuttingDownError) return errorResult(error.message);
      throw error;
    }
    const caller = callerOf(ctx.http?.authInfo);
    const logger = services.logger.child({ tool: name, requestId: ctx.mcpReq.id, ...(caller && { subject: caller.subject, clientId: caller.clientId }) });
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'error';
    try {
      const result = await tool.run(input, { signal: call.signal, logger, services, caller });
      outcome = result.isError ? 'error' : 'ok';
      return capResult(result, services.config.maxResultChars);
    } catch (error) {
      if (error instanceof ToolError) return errorResult(error.message);
      if (call.signal.aborted) {
        logger.info({ reason: String(call.signal.reason) }, 'tool call aborted');
        return errorResult(`${name} was cancelled`);
      }
      logger.error({ err: error }, 'tool call failed');
      return errorResult(`${name} failed unexpectedly; the server log has the details`);
    } finally {
      call.end(outcome);
      const seconds = (performance.now() - started) / 1000;
      logger.debug({ outcome, seconds }, 'tool call finished');
    }
  });
}

const CAP_HINT = 'The result passed MAX_RESULT_CHARS; ask for less (a narrower query, or the next page).';

/**
 * The last line of defence against an oversized result; tools that page shape their own pages
 * (lib/results.ts `pagedResult`) so that this never has to cut anything.
 *
 * A data result (`structuredContent`) larger than the cap is shrunk as a whole: long strings are
 * shortened in place with a marker, so its JSON stays valid, keeps its shape and still shows the
 * start of every value; its text block becomes the same JSON again. A text result's blocks share
 * one budget; text past it is cut with a notice, never mid-character.
 */
export function capResult(result: CallToolResult, maxChars: number): CallToolResult {
  if (result.structuredContent !== undefined && !result.isError) return capDataResult(result, maxChars);
  let remaining = maxChars;
  const content = result.content.map((block) => {
    if (block.type !== 'text') return block;
    if (block.text.length <= remaining) {
      remaining -= block.text.length;
      return block;
    }
    const text =
      remaining >= MIN_CAPPED_CHARS
        ? capText(block.text, remaining, CAP_HINT).text
        : `… [truncated: ${block.text.length} characters omitted. ${CAP_HINT}]`;
    remaining = 0;
    return { ...block, text };
  });
  return { ...result, content };
}

/** Below this, a block is replaced by the notice alone. */
const MIN_CAPPED_CHARS = 300;

function capDataResult(result: CallToolResult, maxChars: number): CallToolResult {
  const data = result.structuredContent as Record<string, unknown>;
  const textChars = result.content.reduce((sum, block) => sum + (block.type === 'text' ? block.text.length : 0), 0);
  if (textChars <= maxChars && renderData(data).length <= maxChars) return result;

  const fitted = shrinkToFit(data, maxChars, renderData);
  if (!fitted) return errorResult(`The result is too large to show even shortened. ${CAP_HINT}`);
  const others = result.content.filter((block) => block.type !== 'text');
  return { ...result, structuredContent: fitted.value, content: [{ type: 'text', text: renderData(fitted.value) }, ...others] };
}
