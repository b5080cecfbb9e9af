// `npm run audit:tools`: what every tool definition costs the model, and whether it is within budget.
// `-- --json` prints the report as JSON. Either way the exit code is 1 when the budget does not hold.
import { auditJson, auditTools, formatAudit, listTools } from './tool-audit.js';

const audit = auditTools(await listTools());
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(auditJson(audit), null, 2));
} else {
  console.log(formatAudit(audit));
}
if (audit.problems.length > 0) {
  console.error(`\n${audit.problems.length} tool budget problem(s):\n${audit.problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exitCode = 1;
}
