import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './server-env.js';

export const k8sDir = path.join(repoRoot, 'deploy', 'k8s');
export const KUSTOMIZATION = 'kustomization.yaml';

/** One object of a manifest file, as parsed: the tests validate it before trusting its shape. */
export interface K8sObject {
  apiVersion?: unknown;
  kind?: unknown;
  [field: string]: unknown;
}

export interface Manifest {
  file: string;
  object: K8sObject;
}

/** Every YAML file in deploy/k8s, every document in each; a YAML error fails naming the file. */
export function readManifests(): { manifests: Manifest[]; kustomization: K8sObject; files: string[] } {
  const files = readdirSync(k8sDir).filter((file) => /\.ya?ml$/.test(file)).sort();
  const manifests: Manifest[] = [];
  let kustomization: K8sObject | undefined;
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      const object = document.toJS() as K8sObject | null;
      if (object === null) continue;
      if (file === KUSTOMIZATION) kustomization = object;
      else manifests.push({ file, object });
    }
  }
  if (!kustomization) throw new Error(`deploy/k8s/${KUSTOMIZATION} is missing`);
  return { manifests, kustomization, files: files.filter((file) => file !== KUSTOMIZATION) };
}

/** The one object of a kind; a second or a missing one fails. */
export function only(manifests: Manifest[], kind: string): K8sObject {
  const found = manifests.filter((manifest) => manifest.object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in deploy/k8s, found ${found.length}`);
  return found[0]!.object;
}
