import type { Answers } from '../answers.js';
import type { TemplateData } from './handlebars.js';

/** The variables every template sees. `sse` is served by the HTTP server, so it is not a value of `MCP_TRANSPORT`. */
export function templateData(answers: Answers, generatorVersion: string): TemplateData {
  const serveTransports = answers.transports.filter((transport) => transport !== 'sse');
  return {
    name: answers.name,
    deployName: deployNameFor(answers.name),
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

/**
 * The name for the image and the Kubernetes objects: a DNS label (a Service name starts with a
 * letter, has at most 63 of `a-z`, `0-9`, `-`), which an npm name like `@acme/weather_v2.1` is not.
 */
export function deployNameFor(packageName: string): string {
  const unscoped = packageName.startsWith('@') ? packageName.slice(packageName.indexOf('/') + 1) : packageName;
  let label = unscoped
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(label)) label = `mcp-${label}`.replace(/-+$/, '');
  return label.slice(0, 63).replace(/-+$/, '');
}
