import type { Answers } from '../answers.js';
import type { TemplateData } from './handlebars.js';

/** The variables every template sees. `sse` is served by the HTTP server, so it is not a value of `MCP_TRANSPORT`. */
export function templateData(answers: Answers, generatorVersion: string): TemplateData {
  const serveTransports = answers.transports.filter((transport) => transport !== 'sse');
  return {
    name: answers.name,
    description: answers.description,
    transports: answers.transports,
    db: answers.db,
    serveTransports,
    defaultTransport: serveTransports[0],
    has: {
      stdio: answers.transports.includes('stdio'),
      http: answers.transports.includes('http'),
      sse: answers.transports.includes('sse'),
      postgres: answers.db === 'postgres',
    },
    generatorVersion,
  };
}
