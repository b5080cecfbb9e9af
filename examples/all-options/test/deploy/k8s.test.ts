import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, type IConfigMap, type IService } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { READINESS_TIMEOUT_MS } from '../../src/http/health.js';
import { readDockerfile } from '../helpers/dockerfile.js';
import { only, readManifests, type K8sObject } from '../helpers/k8s.js';
import { serverEnvNames } from '../helpers/server-env.js';

// deploy/k8s must be valid Kubernetes and agree with the server it runs: the probes hit the
// server's endpoints on its port, the grace period outlasts the drain, and every variable set is
// one the server reads. The live probe and shutdown sequence is tested by the generator's e2e.

/** The Kubernetes API schemas (kubernetes-models) for each kind these manifests may contain. */
const MODELS: Record<string, (object: K8sObject) => { validate(): void }> = {
  'v1/ConfigMap': (object) => new ConfigMap(object as IConfigMap),
  'v1/Service': (object) => new Service(object as IService),
  'apps/v1/Deployment': (object) => new Deployment(object as IDeployment),
  'autoscaling/v2/HorizontalPodAutoscaler': (object) => new HorizontalPodAutoscaler(object as IHorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': (object) => new PodDisruptionBudget(object as IPodDisruptionBudget),
};

const { manifests, kustomization, files } = readManifests();
const configMap = new ConfigMap(only(manifests, 'ConfigMap') as IConfigMap);
const deployment = new Deployment(only(manifests, 'Deployment') as IDeployment);
const service = new Service(only(manifests, 'Service') as IService);
const hpa = new HorizontalPodAutoscaler(only(manifests, 'HorizontalPodAutoscaler') as IHorizontalPodAutoscaler);
const pdb = new PodDisruptionBudget(only(manifests, 'PodDisruptionBudget') as IPodDisruptionBudget);
const pod = deployment.spec?.template.spec;
const container = pod?.containers[0];
if (!pod || !container) throw new Error('deployment.yaml needs a pod template with a container');
/** The settings the server starts with in the pod: the ConfigMap (the Secret holds only credentials). */
const config = loadConfig(configMap.data ?? {});

describe('deploy/k8s', () => {
  it('is valid against the Kubernetes API schemas', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const { file, object } of manifests) {
      const model = MODELS[`${String(object.apiVersion)}/${String(object.kind)}`];
      if (!model) throw new Error(`${file}: no schema for ${String(object.apiVersion)} ${String(object.kind)}: add it to MODELS`);
      expect(() => model(object).validate(), file).not.toThrow();
    }
  });

  it('has a kustomization that lists every manifest', () => {
    expect(kustomization.kind).toBe('Kustomization');
    expect([...(kustomization.resources as string[])].sort()).toEqual(files);
  });

  it('sets only variables the server reads, with values it accepts', () => {
    const known = serverEnvNames();
    for (const name of Object.keys(configMap.data ?? {})) expect(known, `ConfigMap ${name}`).toContain(name);
    for (const { name } of container.env ?? []) expect(known, `env ${name}`).toContain(name);
    expect(config.transport).toBe('http');
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata!.name } }]);
  });

  it('takes the token and the database URL from a Secret, never from the ConfigMap', () => {
    const secrets = ['MCP_AUTH_TOKEN', 'DATABASE_URL'];
    for (const name of secrets) {
      expect(Object.keys(configMap.data ?? {})).not.toContain(name);
      const variable = container.env?.find((each) => each.name === name);
      expect(variable?.valueFrom?.secretKeyRef, name).toMatchObject({ key: name });
    }
  });

  it('probes the server’s liveness and readiness endpoints on the port it listens on', () => {
    const port = container.ports?.find((each) => each.name === 'http');
    expect(port?.containerPort).toBe(config.http.port);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    // /readyz may take READINESS_TIMEOUT_MS per dependency before answering 503 itself.
    expect((container.readinessProbe?.timeoutSeconds ?? 1) * 1_000).toBeGreaterThan(READINESS_TIMEOUT_MS);
  });

  it('gives a terminating pod longer than the preStop delay plus the server’s shutdown timeout', () => {
    const preStopSeconds = container.lifecycle?.preStop?.sleep?.seconds;
    expect(preStopSeconds).toBeGreaterThan(0);
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    expect(grace * 1_000).toBeGreaterThan(preStopSeconds! * 1_000 + config.shutdownTimeoutMs);
  });

  it('runs as the image’s non-root user, read-only, without privilege escalation', () => {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    const [uid] = readDockerfile().args('USER')[0]?.split(':') ?? [];
    expect(pod.securityContext?.runAsUser).toBe(Number(uid));
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('mounts a writable volume at DATA_DIR and /tmp, since the root filesystem is read-only', () => {
    const mounts = container.volumeMounts ?? [];
    for (const dir of [config.dataDir, '/tmp']) {
      const mount = mounts.find((each) => dir === each.mountPath || dir.startsWith(`${each.mountPath}/`));
      expect(mount, dir).toBeDefined();
      expect(pod.volumes?.find((volume) => volume.name === mount!.name)?.emptyDir, dir).toBeDefined();
    }
  });

  it('sets resources, which the autoscaler needs', () => {
    expect(container.resources?.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources?.limits?.memory).toBeDefined();
    expect(hpa.spec?.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name });
  });

  it('selects the Deployment’s pods from the Service and the PodDisruptionBudget', () => {
    const labels = deployment.spec?.template.metadata?.labels;
    expect(labels).toMatchObject(deployment.spec?.selector.matchLabels ?? { missing: true });
    expect(labels).toMatchObject(service.spec?.selector ?? { missing: true });
    expect(labels).toMatchObject(pdb.spec?.selector?.matchLabels ?? { missing: true });
    expect(service.spec?.ports?.map((port) => port.targetPort)).toEqual(['http']);
  });

  it('lets nodes drain: the budget keeps fewer pods than the autoscaler’s minimum', () => {
    expect(Number(pdb.spec?.minAvailable)).toBeLessThan(hpa.spec?.minReplicas ?? 1);
  });

  it('accepts the Service’s DNS names as Host on the MCP endpoints', () => {
    const name = service.metadata?.name ?? '';
    const namespace = typeof kustomization.namespace === 'string' ? kustomization.namespace : 'default';
    const hosts = [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
    expect(config.http.allowedHosts).toEqual(expect.arrayContaining(hosts));
  });

  it('opens no more database connections at full scale than PostgreSQL allows by default', () => {
    const defaultMaxConnections = 100;
    const reservedForSuperuser = 3;
    expect((hpa.spec?.maxReplicas ?? 1) * config.database.poolMax).toBeLessThanOrEqual(defaultMaxConnections - reservedForSuperuser);
  });

  it('keeps a legacy SSE client on one pod for longer than a stream may live', () => {
    expect(service.spec?.sessionAffinity).toBe('ClientIP');
    const seconds = service.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10_800;
    expect(seconds * 1_000).toBeGreaterThanOrEqual(config.streams.maxLifetimeMs);
  });
});
