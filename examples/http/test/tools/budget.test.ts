import { describe, expect, it } from 'vitest';
import { auditTools, formatAudit, listTools } from '../../scripts/tool-audit.js';
import { TOOL_BUDGET } from '../../src/tools/budget.js';
import { tools } from '../../src/tools/index.js';

describe('tool definition budget (fix 1)', () => {
  it('every tool as listed to clients is within the budget', async () => {
    const listed = await listTools();
    expect(listed.map((tool) => tool.name).sort()).toEqual(tools.map((tool) => tool.name).sort());
    expect(auditTools(listed).problems).toEqual([]);
  });

  it('every tool has documentation longer than its description', () => {
    for (const tool of tools) expect(tool.docs.length).toBeGreaterThan(tool.description.length * 3);
  });

  it('reports a tool that is over budget', () => {
    const bloated = {
      name: 'query_everything',
      description: 'A powerful tool that does everything you could ever want, with many options.',
      inputSchema: { type: 'object' as const, properties: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((key) => [key, { type: 'string' }])) },
    };
    const audit = auditTools([bloated]);
    expect(audit.problems).toEqual([
      `query_everything: description ${bloated.description.length} > ${TOOL_BUDGET.maxDescriptionChars} chars`,
      `query_everything: 6 > ${TOOL_BUDGET.maxInputFields} input fields`,
    ]);
    expect(formatAudit(audit)).toContain('OVER');
  });
});
