import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Copy, DockerfileParser, Env, type Instruction } from 'dockerfile-ast';
import { repoRoot } from './server-env.js';

export interface Stage {
  /** `FROM image[:tag] [AS name]` */
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface CopyStep {
  /** `--from=<stage>`, or undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export interface ParsedDockerfile {
  stages: Stage[];
  final: Stage;
  /** The final stage's ENV, in order. */
  env: Record<string, string>;
  /** The final stage's instructions with this keyword, arguments as one string. */
  args(keyword: string): string[];
}

/** The repo's Dockerfile, split into stages. */
export function readDockerfile(): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', as, name] = instruction.getArguments().map((argument) => argument.getValue());
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${instruction.getKeyword()} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  const final = stages.at(-1);
  if (!final) throw new Error('Dockerfile: no FROM');
  const env: Record<string, string> = {};
  for (const instruction of final.instructions) {
    if (!(instruction instanceof Env)) continue;
    for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  }
  const args = (keyword: string) =>
    final.instructions.filter((instruction) => instruction.getKeyword() === keyword).map((instruction) => instruction.getArgumentsContent() ?? '');
  return { stages, final, env, args };
}

/** A stage's COPY instructions. */
export function copies(stage: Stage): CopyStep[] {
  return stage.instructions
    .filter((instruction): instruction is Copy => instruction instanceof Copy)
    .map((instruction) => {
      const paths = instruction.getArguments().map((argument) => argument.getValue());
      return { from: instruction.getFromFlag()?.getValue() ?? undefined, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
    });
}

/** A stage's RUN commands. */
export function runs(stage: Stage): string[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === 'RUN').map((instruction) => instruction.getArgumentsContent() ?? '');
}

/** The final stage's `HEALTHCHECK CMD [...]` command, or undefined when there is none. */
export function healthcheckCommand(dockerfile: ParsedDockerfile): string[] | undefined {
  const [content] = dockerfile.args('HEALTHCHECK');
  if (content === undefined) return undefined;
  const argv = execForm(content.replace(/^CMD\s+/, ''));
  if (!argv) throw new Error(`HEALTHCHECK must be CMD in exec form: ${content}`);
  return argv;
}

/** The command of an exec-form instruction (`CMD ["node", "x.js"]`), or undefined for shell form. */
export function execForm(content: string): string[] | undefined {
  if (!content.trim().startsWith('[')) return undefined;
  const argv = JSON.parse(content) as unknown;
  return Array.isArray(argv) && argv.every((item) => typeof item === 'string') ? argv : undefined;
}
