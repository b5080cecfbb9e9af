import { cp, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Copy, DockerfileParser, Env, Healthcheck, JSONInstruction } from 'dockerfile-ast';
import { execa } from 'execa';

/** What `docker build` would have produced, laid out in a folder instead of an image. */
export interface BuiltImage {
  /** The final stage's WORKDIR, on disk. */
  workdir: string;
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[] | undefined;
  exposed: string[];
  user: string | undefined;
}

/**
 * Runs a Dockerfile's steps without Docker (none is available here): each stage is a folder that
 * stands for its root filesystem, COPY copies from the build context (the repo less .dockerignore)
 * or from an earlier stage's folder, RUN runs with the stage's ENV in its WORKDIR. Only the
 * instructions our Dockerfiles use are supported; anything else fails rather than being skipped.
 * USER cannot be emulated (the tests run as whoever runs them); the repo's own tests check it.
 */
export async function runDockerfileSteps(repo: string, scratch: string): Promise<BuiltImage> {
  const context = path.join(scratch, 'context');
  const ignored = await dockerignore(repo);
  await cp(repo, context, { recursive: true, filter: (source) => !ignored(path.relative(repo, source)) });

  const dockerfile = DockerfileParser.parse(await readFile(path.join(context, 'Dockerfile'), 'utf8'));
  const stages = new Map<string, string>();
  let stage: { root: string; workdir: string; env: Record<string, string> } | undefined;
  let image: BuiltImage | undefined;
  const onDisk = (dir: string, file: string) => path.join(dir, path.posix.resolve(stage?.workdir ?? '/', file));

  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((argument) => argument.getValue());
    if (keyword === 'FROM') {
      const root = path.join(scratch, `stage-${stages.size}`);
      await mkdir(root, { recursive: true });
      stage = { root, workdir: '/', env: {} };
      image = { workdir: root, env: stage.env, cmd: [], healthcheck: undefined, exposed: [], user: undefined };
      stages.set(args[2] ?? String(stages.size), root);
      continue;
    }
    if (!stage || !image) throw new Error(`${keyword} before FROM`);
    if (keyword === 'WORKDIR') {
      stage.workdir = path.posix.resolve(stage.workdir, args[0] ?? '/');
      image.workdir = onDisk(stage.root, '.');
      await mkdir(image.workdir, { recursive: true });
    } else if (instruction instanceof Copy) {
      const from = instruction.getFromFlag()?.getValue();
      const source = from === undefined || from === null ? context : stages.get(from);
      if (!source) throw new Error(`COPY --from=${from}: no such stage`);
      const destination = args.at(-1) ?? '.';
      for (const file of args.slice(0, -1)) {
        const target = destination.endsWith('/') ? path.join(onDisk(stage.root, destination), path.basename(file)) : onDisk(stage.root, destination);
        await cp(path.join(source, file), target, { recursive: true });
      }
    } else if (keyword === 'RUN') {
      const command = instruction.getArgumentsContent() ?? '';
      // A clean environment, like a container's: the stage's ENV, PATH, and a HOME of the stage's
      // own, so npm's cache is the stage's (`npm cache clean --force` must not empty the machine's
      // cache, nor race another run cleaning it).
      const home = onDisk(stage.root, '/root');
      await mkdir(home, { recursive: true });
      const env = { PATH: process.env.PATH ?? '', HOME: home, ...stage.env };
      const result = await execa('sh', ['-c', command], { cwd: image.workdir, env, extendEnv: false, reject: false, all: true, stdin: 'ignore' });
      if (result.exitCode !== 0) throw new Error(`RUN ${command} failed (exit ${result.exitCode}):\n${result.all?.slice(-4_000)}`);
    } else if (instruction instanceof Env) {
      for (const property of instruction.getProperties()) stage.env[property.getName()] = property.getValue() ?? '';
    } else if (keyword === 'EXPOSE') {
      image.exposed.push(...args);
    } else if (keyword === 'USER') {
      image.user = args[0];
    } else if (instruction instanceof Healthcheck) {
      const content = instruction.getArgumentsContent() ?? '';
      image.healthcheck = JSON.parse(content.slice(content.indexOf('CMD') + 3)) as string[];
    } else if (keyword === 'CMD' && instruction instanceof JSONInstruction && instruction.getOpeningBracket()) {
      image.cmd = instruction.getJSONStrings().map((argument) => argument.getJSONValue());
    } else {
      throw new Error(`Dockerfile step not emulated here: ${keyword} ${args.join(' ')}`);
    }
  }
  if (!image) throw new Error('Dockerfile has no FROM');
  return image;
}

/**
 * `.dockerignore` as a predicate on context-relative paths: `*` within a segment, `**` across,
 * and a folder's pattern covering what is inside it. Exceptions (`!`) are not supported.
 */
async function dockerignore(repo: string): Promise<(relative: string) => boolean> {
  const patterns = (await readFile(path.join(repo, '.dockerignore'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (patterns.some((pattern) => pattern.startsWith('!'))) throw new Error('.dockerignore exceptions (!) are not emulated');
  const regexes = patterns.map((pattern) => {
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .split(/(\*\*|\*|\?)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${body}(/.*)?$`);
  });
  return (relative) => relative !== '' && regexes.some((regex) => regex.test(relative.split(path.sep).join('/')));
}
