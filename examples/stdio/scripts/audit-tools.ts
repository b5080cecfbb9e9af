// `npm run audit:tools`: what every tool definition costs the model, and whether it is within budget.
import { auditTools, formatAudit, listTools } from './tool-audit.js';

const audit = auditTools(await listTools());
console.log(formatAudit(audit));
if (audit.problems.length > 0) {
  console.error(`\n${audit.problems.length} tool budget problem(s):\n${audit.problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exitCode = 1;
}
