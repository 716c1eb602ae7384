/**
 * The pods an operator creates from our custom resources, modelled from the operator's source so that
 * Pod Security admission can be checked on them offline (see pod-security.ts).
 *
 * KubeRay: ray-project/kuberay at tag v1.7.0 (commit 59d663aeec13760646da3db9c1cf8cfe883e30b7), the release
 * the vendored crds/kuberay/ray.io_rayjobs.yaml comes from. Facts modelled, with their source:
 *
 * - RayJob → RayCluster: `constructRayClusterForRayJob` (ray-operator/controllers/ray/rayjob_controller.go)
 *   deep-copies spec.rayClusterSpec; in SidecarMode it appends the default submitter container (no
 *   securityContext) to the head pod. With spec.clusterSelector no cluster is created.
 * - Submitter (spec.submissionMode defaults to K8sJobMode: `+kubebuilder:default:=K8sJobMode`,
 *   ray-operator/apis/ray/v1/rayjob_types.go): `createK8sJobIfNeed` → `getSubmitterTemplate`
 *   (rayjob_controller.go) → `common.GetSubmitterTemplate` (ray-operator/controllers/ray/common/job.go):
 *   a given spec.submitterPodTemplate is deep-copied and kept (only container[0]'s command/args when empty,
 *   its env and the template's labels are set); otherwise the template is
 *   `{containers: [GetDefaultSubmitterContainer()], restartPolicy: Never}`, the container named
 *   "ray-job-submitter" (utils.SubmitterContainerName, ray-operator/controllers/ray/utils/constant.go) with the
 *   head image and resources only — no pod or container securityContext. With
 *   rayClusterSpec.authOptions.enableK8sTokenAuth `common.AddRayTokenVolume` (common/pod.go) adds a projected
 *   volume. HTTPMode and InteractiveMode create no submitter pod.
 * - Head pod: `DefaultHeadPodTemplate` (common/pod.go) appends the "autoscaler" container
 *   (`BuildAutoscalerContainer`, no securityContext; `mergeAutoscalerOverrides` copies
 *   autoscalerOptions.securityContext when set) if enableInTreeAutoscaling is true. `BuildPod` adds an
 *   emptyDir "shared-mem" (/dev/shm, unless rayStartParams has plasma-directory) and, with the autoscaler, an
 *   emptyDir "ray-logs".
 * - Worker pods: `DefaultWorkerPodTemplate` (common/pod.go) appends the init container "wait-gcs-ready"
 *   (unless the operator runs with ENABLE_INIT_CONTAINER_INJECTION=false) whose securityContext is
 *   `podTemplate.Spec.Containers[utils.RayContainerIndex].SecurityContext.DeepCopy()` — a copy of the first
 *   container's (RayContainerIndex = 0); `BuildPod` adds the "shared-mem" emptyDir.
 * - Not modelled, all behind alpha feature gates that default to off in
 *   ray-operator/pkg/features/features.go: RayClusterMTLS (init container "wait-for-tls-ip-san", which also
 *   copies container[0]'s securityContext), RayClusterHistoryServer (collector container),
 *   GCSFaultToleranceEmbeddedStorage (PVC volume), SidecarSubmitterRestart.
 */
import type { PodTemplate } from './pod-security';

export interface OperatorPodTemplate extends PodTemplate {
  /** Which operator and function builds it, for messages. */
  source: string;
}

const KUBERAY = 'KubeRay v1.7.0';
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** common/job.go GetDefaultSubmitterContainer */
function defaultSubmitterContainer(rayClusterSpec: any): any {
  return {
    name: 'ray-job-submitter',
    image: rayClusterSpec?.headGroupSpec?.template?.spec?.containers?.[0]?.image,
    resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '200Mi' } },
  };
}

/** common/pod.go AddRayTokenVolume */
function addRayTokenVolume(spec: any, rayClusterSpec: any): void {
  if (rayClusterSpec?.authOptions?.enableK8sTokenAuth !== true) return;
  spec.volumes = [...(spec.volumes ?? [])];
  if (!spec.volumes.some((v: any) => v.name === 'ray-token')) {
    spec.volumes.push({ name: 'ray-token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } });
  }
}

/** common/pod.go BuildPod → addEmptyDir (volume part only: mounts do not matter to Pod Security). */
function addEmptyDir(spec: any, name: string, medium?: string): void {
  spec.volumes = [...(spec.volumes ?? [])];
  if (!spec.volumes.some((v: any) => v.name === name)) spec.volumes.push({ name, emptyDir: medium ? { medium } : {} });
}

/** The pods KubeRay v1.7.0 creates for a RayJob (head, each worker group, the submitter Job's pod). */
export function kubeRayJobPods(rayJob: any): OperatorPodTemplate[] {
  const spec = rayJob?.spec ?? {};
  const mode: string = spec.submissionMode ?? 'K8sJobMode';
  const out: OperatorPodTemplate[] = [];
  const clusterSpec = spec.rayClusterSpec;

  if (clusterSpec && !(spec.clusterSelector && Object.keys(spec.clusterSelector).length > 0)) {
    // Head: rayjob_controller.go constructRayClusterForRayJob + common/pod.go DefaultHeadPodTemplate + BuildPod
    const head = clone(clusterSpec.headGroupSpec?.template ?? {});
    head.spec = head.spec ?? {};
    head.spec.containers = [...(head.spec.containers ?? [])];
    const autoscaling = clusterSpec.enableInTreeAutoscaling === true;
    if (autoscaling) {
      const autoscaler: any = { name: 'autoscaler', image: head.spec.containers[0]?.image };
      if (clusterSpec.autoscalerOptions?.securityContext)
        autoscaler.securityContext = clone(clusterSpec.autoscalerOptions.securityContext);
      head.spec.containers.push(autoscaler);
    }
    if (mode === 'SidecarMode') {
      head.spec.containers.push(defaultSubmitterContainer(clusterSpec));
      head.spec.restartPolicy = 'Never';
    }
    if (!('plasma-directory' in (clusterSpec.headGroupSpec?.rayStartParams ?? {})))
      addEmptyDir(head.spec, 'shared-mem', 'Memory');
    if (autoscaling) addEmptyDir(head.spec, 'ray-logs');
    out.push({
      path: 'RayCluster head pod',
      spec: head.spec,
      metadata: head.metadata ?? {},
      source: `${KUBERAY} common/pod.go DefaultHeadPodTemplate${autoscaling ? ' (+autoscaler container)' : ''}${mode === 'SidecarMode' ? ' (+submitter sidecar)' : ''}`,
    });

    // Workers: common/pod.go DefaultWorkerPodTemplate + BuildPod
    (clusterSpec.workerGroupSpecs ?? []).forEach((group: any, i: number) => {
      const worker = clone(group?.template ?? {});
      worker.spec = worker.spec ?? {};
      const rayContainer = worker.spec.containers?.[0] ?? {};
      const waitGcsReady: any = { name: 'wait-gcs-ready', image: rayContainer.image };
      if (rayContainer.securityContext) waitGcsReady.securityContext = clone(rayContainer.securityContext);
      worker.spec.initContainers = [...(worker.spec.initContainers ?? []), waitGcsReady];
      if (!('plasma-directory' in (group?.rayStartParams ?? {}))) addEmptyDir(worker.spec, 'shared-mem', 'Memory');
      out.push({
        path: `RayCluster worker pod (group ${group?.groupName ?? i})`,
        spec: worker.spec,
        metadata: worker.metadata ?? {},
        source: `${KUBERAY} common/pod.go DefaultWorkerPodTemplate (+init container wait-gcs-ready)`,
      });
    });
  }

  if (mode === 'K8sJobMode') {
    // rayjob_controller.go getSubmitterTemplate → common/job.go GetSubmitterTemplate
    const given = spec.submitterPodTemplate;
    const template = given
      ? clone(given)
      : { spec: { containers: [defaultSubmitterContainer(clusterSpec)], restartPolicy: 'Never' } };
    template.spec = template.spec ?? {};
    addRayTokenVolume(template.spec, clusterSpec);
    out.push({
      path: 'submitter Job pod',
      spec: template.spec,
      metadata: template.metadata ?? {},
      source: `${KUBERAY} common/job.go GetSubmitterTemplate (${given ? 'spec.submitterPodTemplate, kept' : 'default template'})`,
    });
  }
  return out;
}

/** Pods an operator creates from this manifest (none for kinds no modelled operator acts on). */
export function operatorPodTemplatesOf(manifest: any): OperatorPodTemplate[] {
  if (manifest?.apiVersion === 'ray.io/v1' && manifest?.kind === 'RayJob') return kubeRayJobPods(manifest);
  return [];
}
