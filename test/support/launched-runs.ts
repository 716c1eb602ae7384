/**
 * The runs a training job's launcher creates: the JobSet or RayJob template kept in its ConfigMap (`run.json`,
 * lib/workloads/private/job-launcher.ts). Checks that hold manifests to the API server's contracts (schemas, CEL,
 * Pod Security) must see them too, though the deploy applies only the ConfigMap.
 */
export function runTemplatesOf(manifests: any[]): any[] {
  return manifests
    .filter((m) => m?.apiVersion === 'v1' && m?.kind === 'ConfigMap' && typeof m?.data?.['run.json'] === 'string')
    .map((m) => JSON.parse(m.data['run.json']));
}

/** The manifests and the runs their launchers create. */
export function withRuns(manifests: any[]): any[] {
  return [...manifests, ...runTemplatesOf(manifests)];
}
