import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type Tool } from '@modelcontextprotocol/server';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/lib/logger.js';
import { createServerFactory } from '../src/server.js';
import { createServices } from '../src/services.js';
import { TOOL_BUDGET, estimateTokens } from '../src/tools/budget.js';

export interface ToolAuditRow {
  name: string;
  descriptionChars: number;
  inputFields: number;
  estimatedTokens: number;
  problems: string[];
}

export interface ToolAudit {
  rows: ToolAuditRow[];
  totalTokens: number;
  problems: string[];
}

/** The tool definitions exactly as a client receives them from `tools/list`. */
export async function listTools(): Promise<Tool[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tool-audit-'));
  try {
    const services = await createServices(loadConfig({ DATA_DIR: dataDir }), createLogger('silent'));
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

export function auditTools(tools: readonly Tool[], budget: typeof TOOL_BUDGET = TOOL_BUDGET): ToolAudit {
  const rows = tools.map((tool): ToolAuditRow => {
    const descriptionChars = tool.description?.length ?? 0;
    const inputFields = Object.keys(tool.inputSchema.properties ?? {}).length;
    const estimatedTokens = estimateTokens(JSON.stringify(tool));
    const problems = [
      descriptionChars > budget.maxDescriptionChars && `description ${descriptionChars} > ${budget.maxDescriptionChars} chars`,
      inputFields > budget.maxInputFields && `${inputFields} > ${budget.maxInputFields} input fields`,
      estimatedTokens > budget.maxTokensPerTool && `~${estimatedTokens} > ${budget.maxTokensPerTool} tokens`,
    ].filter((problem): problem is string => typeof problem === 'string');
    return { name: tool.name, descriptionChars, inputFields, estimatedTokens, problems };
  });
  const totalTokens = rows.reduce((sum, row) => sum + row.estimatedTokens, 0);
  const problems = [
    ...rows.flatMap((row) => row.problems.map((problem) => `${row.name}: ${problem}`)),
    ...(totalTokens > budget.maxTotalTokens ? [`all tools: ~${totalTokens} > ${budget.maxTotalTokens} tokens`] : []),
  ];
  return { rows, totalTokens, problems };
}

export function formatAudit(audit: ToolAudit, budget: typeof TOOL_BUDGET = TOOL_BUDGET): string {
  const header = ['tool', 'description chars', 'input fields', '~tokens', 'status'];
  const body = audit.rows.map((row) => [
    row.name,
    String(row.descriptionChars),
    String(row.inputFields),
    String(row.estimatedTokens),
    row.problems.length === 0 ? 'ok' : `OVER: ${row.problems.join(', ')}`,
  ]);
  const footer = ['total', '', '', String(audit.totalTokens), audit.totalTokens > budget.maxTotalTokens ? 'OVER' : 'ok'];
  const table = [header, ...body, footer];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  const lines = table.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  const limits = `budget: description <= ${budget.maxDescriptionChars} chars, <= ${budget.maxInputFields} fields, <= ${budget.maxTokensPerTool} tokens per tool, <= ${budget.maxTotalTokens} in all (src/tools/budget.ts)`;
  return [...lines, '', limits].join('\n');
}
