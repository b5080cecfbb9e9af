import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type Tool } from '@modelcontextprotocol/server';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/lib/logger.js';
import { createServerFactory } from '../src/server.js';
import { createServices } from '../src/services.js';
import { TOOL_BUDGET, type ToolBudget } from '../src/tools/budget.js';

export interface ToolAuditRow {
  name: string;
  descriptionChars: number;
  /** Top-level fields of the input schema. */
  fields: number;
  tokens: number;
  problems: string[];
}

export interface ToolAudit {
  tools: ToolAuditRow[];
  /** Tokens of the whole `tools/list` result, as sent. */
  totalTokens: number;
  problems: string[];
}

let encoder: Tiktoken | undefined;

/**
 * Tokens of `text` in the o200k_base encoding (GPT-4o and later), with the ranks shipped inside
 * js-tiktoken: no network. Other models split text differently, so treat it as an estimate.
 */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  return encoder.encode(text).length;
}

/**
 * The tool definitions exactly as a client receives them from `tools/list`, for the groups
 * `MCP_TOOLSETS` selects (all when unset), the same list a deployment with that setting serves.
 */
export async function listTools(env: NodeJS.ProcessEnv = process.env): Promise<Tool[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tool-audit-'));
  try {
    const config = loadConfig({ DATA_DIR: dataDir, ...(env.MCP_TOOLSETS && { MCP_TOOLSETS: env.MCP_TOOLSETS }) });
    const services = await createServices(config, createLogger('silent'));
    const server = await createServerFactory(services)({ era: 'legacy' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'tool-audit', version: '1.0.0' });
    await client.connect(clientSide);
    const { tools } = await client.listTools();
    await client.close();
    return tools;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function auditTools(tools: readonly Tool[], budget: ToolBudget = TOOL_BUDGET): ToolAudit {
  const rows = tools.map((tool): ToolAuditRow => {
    const descriptionChars = tool.description?.length ?? 0;
    const fields = Object.keys(tool.inputSchema.properties ?? {}).length;
    const tokens = countTokens(JSON.stringify(tool));
    const problems = [
      descriptionChars > budget.maxDescriptionChars && `description ${descriptionChars} > ${budget.maxDescriptionChars} chars`,
      fields > budget.maxInputFields && `${fields} > ${budget.maxInputFields} input fields`,
      tokens > budget.toolTokens && `${tokens} > ${budget.toolTokens} tokens`,
    ].filter((problem): problem is string => typeof problem === 'string');
    return { name: tool.name, descriptionChars, fields, tokens, problems };
  });
  // The whole result as it travels, not the sum of the tools: that is what a client pays for.
  const totalTokens = countTokens(JSON.stringify({ tools }));
  const problems = [
    ...rows.flatMap((row) => row.problems.map((problem) => `${row.name}: ${problem}`)),
    ...(totalTokens > budget.totalTokens ? [`tools/list: ${totalTokens} > ${budget.totalTokens} tokens`] : []),
  ];
  return { tools: rows, totalTokens, problems };
}

/** The `--json` report: stable field names, for CI and dashboards. */
export function auditJson(audit: ToolAudit, budget: ToolBudget = TOOL_BUDGET) {
  return {
    tools: audit.tools.map(({ name, descriptionChars, fields, tokens }) => ({ name, descriptionChars, fields, tokens })),
    totalTokens: audit.totalTokens,
    budget: { toolTokens: budget.toolTokens, totalTokens: budget.totalTokens },
  };
}

export function formatAudit(audit: ToolAudit, budget: ToolBudget = TOOL_BUDGET): string {
  const header = ['tool', 'description chars', 'input fields', 'tokens', 'status'];
  const body = audit.tools.map((row) => [
    row.name,
    String(row.descriptionChars),
    String(row.fields),
    String(row.tokens),
    row.problems.length === 0 ? 'ok' : `OVER: ${row.problems.join(', ')}`,
  ]);
  const footer = ['tools/list', '', '', String(audit.totalTokens), audit.totalTokens > budget.totalTokens ? 'OVER' : 'ok'];
  const table = [header, ...body, footer];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  const lines = table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  const limits = `budget: description <= ${budget.maxDescriptionChars} chars, <= ${budget.maxInputFields} fields, <= ${budget.toolTokens} tokens per tool, <= ${budget.totalTokens} for tools/list (src/tools/budget.ts)`;
  const estimate = 'tokens: o200k_base, counted offline; an estimate, since other models tokenize differently';
  return [...lines, '', limits, estimate].join('\n');
}
