import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { auditJson, auditTools, countTokens, formatAudit, listTools } from '../../scripts/tool-audit.js';
import { TOOL_BUDGET } from '../../src/tools/budget.js';
import { tools } from '../../src/tools/index.js';

const bloated = {
  name: 'query_everything',
  description: 'A powerful tool that does everything you could ever want, with many options.',
  inputSchema: { type: 'object' as const, properties: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((key) => [key, { type: 'string' }])) },
};

describe('tool definition budget', () => {
  it('every tool as listed to clients is within the budget', async () => {
    const listed = await listTools({});
    expect(listed.map((tool) => tool.name).sort()).toEqual(tools.map((tool) => tool.name).sort());
    expect(auditTools(listed).problems).toEqual([]);
  });

  it('every tool has documentation longer than its description', () => {
    for (const tool of tools) expect(tool.docs.length).toBeGreaterThan(tool.description.length * 3);
  });

  it('counts tokens with a real tokenizer (o200k_base), not characters / 4', () => {
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('Find note lines containing some text. Paginated.')).toBe(10);
    expect(countTokens('')).toBe(0);
  });

  it('reports a tool that is over budget', () => {
    const audit = auditTools([bloated]);
    expect(audit.problems).toEqual([
      `query_everything: description ${bloated.description.length} > ${TOOL_BUDGET.maxDescriptionChars} chars`,
      `query_everything: 6 > ${TOOL_BUDGET.maxInputFields} input fields`,
    ]);
    expect(formatAudit(audit)).toContain('OVER');
  });

  it('counts the whole tools/list result against the catalog budget', () => {
    const small = { type: 'object' as const, properties: { a: { type: 'string' }, b: { type: 'string' } } };
    const many = Array.from({ length: 80 }, (_, i) => ({ name: `tool_${i}`, description: 'Short enough.', inputSchema: small }));
    const audit = auditTools(many);
    expect(audit.totalTokens).toBe(countTokens(JSON.stringify({ tools: many })));
    expect(audit.totalTokens).toBeGreaterThan(TOOL_BUDGET.totalTokens);
    expect(audit.problems).toEqual([`tools/list: ${audit.totalTokens} > ${TOOL_BUDGET.totalTokens} tokens`]);
  });

  it('reports a tool whose definition is over the token budget', () => {
    const wordy = { ...bloated, description: 'ok', inputSchema: { type: 'object' as const, properties: { a: { type: 'string', description: 'word '.repeat(400) } } } };
    const [problem] = auditTools([wordy]).problems;
    expect(problem).toMatch(new RegExp(`^query_everything: \\d+ > ${TOOL_BUDGET.toolTokens} tokens$`));
  });

  it('`npm run audit:tools -- --json` prints the documented shape and exits 0 within budget', async () => {
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/audit-tools.ts', '--json'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '' },
      timeout: 120_000,
    });
    const report = JSON.parse(stdout) as ReturnType<typeof auditJson>;
    expect(Object.keys(report)).toEqual(['tools', 'totalTokens', 'budget']);
    expect(report.budget).toEqual({ toolTokens: TOOL_BUDGET.toolTokens, totalTokens: TOOL_BUDGET.totalTokens });
    expect(report.tools.map((tool) => Object.keys(tool))).toEqual(tools.map(() => ['name', 'descriptionChars', 'fields', 'tokens']));
    expect(report.tools.map((tool) => tool.name)).toEqual(tools.map((tool) => tool.name).sort());
    expect(report.totalTokens).toBeGreaterThan(Math.max(...report.tools.map((tool) => tool.tokens)));
  });
});
