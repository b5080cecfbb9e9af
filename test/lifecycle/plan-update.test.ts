import { describe, expect, it } from 'vitest';
import type { Answers } from '../../src/answers.js';
import { planUpdate } from '../../src/lifecycle/plan-update.js';
import { createManifest, hashContent, type Manifest } from '../../src/render/manifest.js';
import { useTempDirs, writeTree } from '../helpers/fs.js';

const tempDir = useTempDirs('plan-update-');
const answers: Answers = { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' };
const next = { name: 'create-mcp-prod', version: '2.0.0' };

function tree(files: Record<string, string | Buffer>): Map<string, Buffer> {
  return new Map(Object.entries(files).map(([file, content]) => [file, Buffer.from(content)]));
}

function recordedFrom(base: Map<string, Buffer>, extra: Manifest['files'] = {}): Manifest {
  const manifest = createManifest({ name: 'create-mcp-prod', version: '1.0.0' }, answers, base);
  return { ...manifest, files: { ...manifest.files, ...extra } };
}

const lines = (...items: string[]) => `${items.join('\n')}\n`;

describe('planUpdate', () => {
  it('replaces untouched managed files, merges separate edits, marks overlapping ones with labelled markers', async () => {
    const root = await tempDir();
    const base = tree({
      'src/a.ts': lines('one', 'two', 'three', 'four', 'five', 'six'),
      'src/b.ts': lines('one', 'two', 'three', 'four', 'five', 'six'),
      'src/c.ts': lines('const x = 1;'),
    });
    const after = tree({
      'src/a.ts': lines('one', 'two', 'three', 'four', 'five', 'SIX from 2.0.0'),
      'src/b.ts': lines('one', 'TWO from 2.0.0', 'three', 'four', 'five', 'six'),
      'src/c.ts': lines('const x = 2;'),
    });
    await writeTree(root, {
      'src/a.ts': lines('ONE (mine)', 'two', 'three', 'four', 'five', 'six'),
      'src/b.ts': lines('one', 'TWO (mine)', 'three', 'four', 'five', 'six'),
      'src/c.ts': lines('const x = 1;'),
    });
    const plan = await planUpdate(root, recordedFrom(base), base, after, next);
    const byFile = new Map(plan.changes.map((change) => [change.file, change]));

    expect(byFile.get('src/c.ts')).toMatchObject({ action: 'replace' });
    expect(byFile.get('src/a.ts')?.action).toBe('merge');
    expect(byFile.get('src/a.ts')?.content?.toString()).toBe(lines('ONE (mine)', 'two', 'three', 'four', 'five', 'SIX from 2.0.0'));
    expect(byFile.get('src/b.ts')?.action).toBe('conflict');
    const conflicted = byFile.get('src/b.ts')?.content?.toString() ?? '';
    expect(conflicted).toContain('<<<<<<< src/b.ts (yours)\nTWO (mine)\n');
    expect(conflicted).toContain('||||||| src/b.ts (create-mcp-prod 1.0.0)\ntwo\n');
    expect(conflicted).toContain('=======\nTWO from 2.0.0\n>>>>>>> src/b.ts (create-mcp-prod 2.0.0)\n');
    expect(plan.conflicts.map((change) => change.file)).toEqual(['src/b.ts']);
  });

  it('keeps a deleted managed file deleted and records it, adds new files, removes dropped ones unless changed', async () => {
    const root = await tempDir();
    const base = tree({ 'gone.md': 'old\n', 'dropped.ts': 'x\n', 'dropped-edited.ts': 'x\n' });
    const after = tree({ 'gone.md': 'new\n', 'added.ts': 'added\n' });
    await writeTree(root, { 'dropped.ts': 'x\n', 'dropped-edited.ts': 'x (mine)\n' });
    const plan = await planUpdate(root, recordedFrom(base), base, after, next);

    expect(plan.changes.map((change) => [change.action, change.file])).toEqual([
      ['add', 'added.ts'],
      ['keep', 'dropped-edited.ts'],
      ['remove', 'dropped.ts'],
      ['keep', 'gone.md'],
    ]);
    expect(plan.manifest.files['gone.md']).toMatchObject({ owner: 'managed', deleted: true });
    expect(plan.manifest.files['dropped-edited.ts']).toMatchObject({ owner: 'user' });
    expect(plan.manifest.files).not.toHaveProperty('dropped.ts');
    expect(plan.manifest.version).toBe('2.0.0');
  });

  it('never touches the user’s files or what add-tool wrote, and keeps them recorded', async () => {
    const root = await tempDir();
    const base = tree({ 'src/tools/index.ts': 'list\n', 'src/settings.ts': 'settings\n' });
    const after = tree({ 'src/tools/index.ts': 'new list\n', 'src/settings.ts': 'new settings\n' });
    await writeTree(root, { 'src/tools/index.ts': 'my list\n', 'src/tools/mine.ts': 'mine\n' });
    const added = { 'src/tools/mine.ts': { owner: 'user' as const, hash: hashContent('mine\n') } };
    const plan = await planUpdate(root, recordedFrom(base, added), base, after, next);
    expect(plan.changes).toEqual([]);
    expect(plan.manifest.files['src/tools/mine.ts']).toEqual(added['src/tools/mine.ts']);
    expect(plan.manifest.files['src/tools/index.ts']?.owner).toBe('user');
  });

  it('keeps a binary changed on both sides and writes the new one beside it', async () => {
    const root = await tempDir();
    const base = tree({ 'logo.png': Buffer.from([0, 1, 2]) });
    const after = tree({ 'logo.png': Buffer.from([0, 1, 3]) });
    await writeTree(root, { 'logo.png': Buffer.from([0, 1, 4]) });
    const plan = await planUpdate(root, recordedFrom(base), base, after, next);
    expect(plan.changes).toEqual([
      expect.objectContaining({ file: 'logo.png', action: 'conflict', beside: { file: 'logo.png.create-mcp-prod-2.0.0', content: Buffer.from([0, 1, 3]) } }),
    ]);
    expect(plan.changes[0]?.content).toBeUndefined();
  });

  it('refuses, before anything is written, to write where the user has a file for a folder or a folder for a file (64)', async () => {
    const root = await tempDir();
    const base = tree({ 'logo.png': Buffer.from([0, 1, 2]) });
    const after = tree({ 'notes/inner.md': 'new\n', 'src/userdir.ts': 'new\n', 'logo.png': Buffer.from([0, 1, 3]) });
    await writeTree(root, { notes: 'mine\n', 'src/userdir.ts/mine.ts': 'mine\n', 'logo.png': Buffer.from([0, 1, 4]), 'logo.png.create-mcp-prod-2.0.0/x': 'x' });
    await expect(planUpdate(root, recordedFrom(base), base, after, next)).rejects.toMatchObject({
      exitCode: 64,
      message:
        'update cannot write what create-mcp-prod 2.0.0 brings: logo.png.create-mcp-prod-2.0.0 (a folder here, not a file); notes/inner.md (notes is a file here, not a folder); ' +
        'src/userdir.ts (a folder here, not a file). Move yours aside, commit, and run update again',
    });
  });
});
