import { kubectlImage, RUNTIME_IMAGES, runtimeImage } from '../catalog/versions';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeGrantWildcards } from '../core/acknowledge';
import type * as eks from 'aws-cdk-lib/aws-eks-v2';
import type * as cdk8s from 'cdk8s';
import type { IConstruct } from 'constructs';
import { acceleratorResourceName, AcceleratorVendor } from '../catalog/accelerators';
import { HELM_CHARTS } from '../catalog/versions';
import { Operator, Operators } from '../cluster/operators';
import { DataAccessLevel } from '../data-lake/data-access-level';
import type { IDataLakeRef } from '../data-lake/data-lake-ref';
import { MountpointDriver } from '../data-lake/mountpoint-driver';
import type { WorkloadDataAccess } from '../data-lake/workload-data-access';
import type {
  ResolvedDefinition,
  ResolvedInference,
  ResolvedNodePool,
  ResolvedRayPipeline,
  ResolvedTraining,
} from '../definition/resolved';
import { PipelineScript } from '../pipelines/pipeline-script';
import { PipelineTrigger } from '../pipelines/pipeline-trigger';
import { RayPipeline, type RayPipelineRun } from '../pipelines/ray-pipeline';
import type { DataAccessDefinition } from '../definition/types';
import type { ManagedPrometheus } from '../autoscaling/managed-prometheus';
import { InferenceService } from '../workloads/inference-service';
import {
  admittedCidrs,
  ExposureVisibility,
  idleTimeoutFor,
  ingressGroupName,
  loadBalancerNameFor,
  type LoadBalancerGroup,
} from '../workloads/inference-exposure';
import { Placement } from '../workloads/placement';
import type { S3Mount } from '../workloads/s3-mounts';
import { ScalingMetric } from '../workloads/scaling-metric';
import { TeamNamespace, type OperatorIngress } from '../workloads/team-namespace';
import { TrainingEngine } from '../workloads/training-engine';
import { RAY_DASHBOARD_PORT, TrainingJob } from '../workloads/training-job';

/** Whether a workload needs its own Pod Identity role: data access, an output, a zone model, or secrets to read. */
export function needsWorkloadRole(w: ResolvedInference | ResolvedTraining): boolean {
  if (w.dataAccess.length > 0 || ('output' in w && w.output)) return true;
  return (
    'secrets' in w &&
    (w.model?.zone !== undefined || w.model?.tokenSecretArn !== undefined || Object.keys(w.secrets).length > 0)
  );
}

/**
 * Read (a model) or read and write (a training job's output) on exactly a prefix: objects under `<path>/*`, listing
 * only with `s3:prefix` under it (what Mountpoint's `--prefix` mount lists: mountpoint-s3 doc/CONFIGURATION.md, IAM
 * permissions), and the key through S3 only (writing encrypts with it: kms:GenerateDataKey).
 */
function grantPrefix(lake: IDataLakeRef, role: iam.IRole, zone: string, path: string, write: boolean): void {
  const bucketArn = lake.zoneBucketArn(zone);
  const stack = Stack.of(role);
  const objectActions = write
    ? ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']
    : ['s3:GetObject'];
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: objectActions, resources: [`${bucketArn}/${path}/*`] }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${path}/`, `${path}/*`] } },
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      resources: [lake.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` } },
    }),
  );
  acknowledgeGrantWildcards(
    role,
    { resources: [`${bucketArn}/${path}/*`], actions: objectActions },
    write
      ? `The job's output: its folder (${zone}/${path}) only`
      : `The model's objects: its folder (${zone}/${path}) only`,
  );
}

/**
 * GetSecretValue on exactly the server's secrets (Secrets Manager user guide, "Authentication and access control":
 * resource = the secret's full ARN). No kms:Decrypt: secrets under the AWS managed key need none; a customer managed
 * key's policy must admit the role itself (its ARN is not known here, so no scoped grant is possible).
 */
function grantSecretsRead(role: iam.IRole, arns: string[]): void {
  if (arns.length > 0)
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: arns }));
}

/**
 * One IngressGroup (one ALB) per visibility in use, named `<platform>-<visibility>`. Its security group admits the
 * union of its services' ranges (for a service naming none: the VPC, or any address for an internet service with auth): the controller needs the same inbound-cidrs on
 * every Ingress of a port; each service's own ranges are then enforced by its rule's source-ip condition. The idle
 * timeout (the longest cold-start wait of its services, plus the margin) and the WAF web ACL are the same on every
 * Ingress too (both "Exclusive" across a group: annotations.md v3.5.0).
 */
function loadBalancerGroups(def: ResolvedDefinition): Map<string, LoadBalancerGroup> {
  const groups = new Map<string, LoadBalancerGroup>();
  for (const svc of def.inference.filter((s) => s.expose)) {
    const v = svc.expose!.visibility ?? ExposureVisibility.INTERNAL;
    const cidrs = admittedCidrs(svc.expose!, def.network.cidr);
    const prev = groups.get(v);
    const inbound = [...new Set([...(prev?.inboundCidrs ?? []), ...cidrs])].sort();
    groups.set(v, {
      name: ingressGroupName(def.name, v),
      vpcCidr: def.network.cidr,
      inboundCidrs: inbound,
      idleTimeoutSeconds: Math.max(prev?.idleTimeoutSeconds ?? 0, idleTimeoutFor(svc.expose!)),
      wafAclArn: prev?.wafAclArn ?? svc.expose!.wafAclArn,
      loadBalancerName: loadBalancerNameFor(def.name, v),
    });
  }
  return groups;
}

/**
 * The endpoint's URL as a platform stack output, `Endpoint<name>` ('-' as 'X': logical IDs are alphanumeric, and
 * names are lowercase, so no two services share one). Without a host the URL names `<ALB DNS name>`: the
 * description says where to read it (the Ingress's status, once the controller has created the ALB).
 */
function endpointOutput(stack: Stack, name: string, service: InferenceService): void {
  new CfnOutput(stack, `Endpoint${name.replace(/-/g, 'X')}`, {
    value: service.endpointUrl!,
    description: `Inference service ${name}: the URL clients call. The ALB's DNS name (point the host's DNS record at it): kubectl get ingress -n ${service.ingressRef!.replace('/', ' ')} -o jsonpath='{.status.loadBalancer.ingress[0].hostname}'`,
  });
}

/** What a Ray pipeline's runs execute, against the lake's buckets (RayPipeline: its entrypoint and script files). */
function rayPipelineRun(p: ResolvedRayPipeline, lake: IDataLakeRef): RayPipelineRun {
  return RayPipeline.run({
    pipelineName: p.awsName,
    dataLake: lake,
    sources: p.from,
    target: p.to,
    script: PipelineScript.fromAsset(p.script),
    trigger: p.trigger === undefined ? undefined : PipelineTrigger.schedule(p.trigger),
    runTimeout: Duration.minutes(p.runTimeoutMinutes),
  });
}

/** Delivers a chart to the cluster (in a given stack, or the cluster's), after the constructs it depends on. */
export type ChartSink = (
  scope: IConstruct | undefined,
  id: string,
  chart: cdk8s.Chart,
  ...deps: IConstruct[]
) => eks.KubernetesManifest;

/**
 * `teams`, `inference` and `training` onto cdk8s charts, in dependency order: operators and namespaces
 * before the objects that need them. A team gets a namespace with its accelerator quota; a workload outside
 * a team gets one of its own name.
 */
export function mapWorkloads(
  def: ResolvedDefinition,
  opts: {
    readonly stack: Stack;
    readonly cluster: eks.Cluster;
    readonly k8sApp: cdk8s.App;
    readonly deliver: ChartSink;
    readonly dataLake: IDataLakeRef;
    readonly workloadAccess: Record<string, WorkloadDataAccess>;
    readonly prometheus?: ManagedPrometheus;
    /** The stack a workload's manifests go to (its shard stack). */
    readonly scopeFor: (workload: string) => IConstruct | undefined;
  },
): void {
  const { cluster, prometheus } = opts;
  const app = opts.k8sApp;
  const pools = new Map(def.nodePools.map((p) => [p.name, p]));
  const deliver = (id: string, chart: cdk8s.Chart, ...deps: IConstruct[]) =>
    opts.deliver(undefined, id, chart, ...deps);
  const deliverIn = opts.deliver;
  const scopeOf = opts.scopeFor;

  // Namespaces: one per team (with its accelerator quota), one per workload outside a team.
  const namespaces = new Map<string, eks.KubernetesManifest>();
  const ports = (ns: string) => def.inference.filter((s) => s.namespace === ns).map((s) => s.port);
  // The managed scraper's ENIs sit in the node subnets and scrape the services' metrics ports directly.
  const scraperCidrs = prometheus ? [def.network.cidr] : [];
  // KubeRay's operator calls each Ray head's dashboard for job status (ray-operator utils/util.go
  // FetchHeadServiceURL, v1.7.0); the submitter pod is in the namespace itself.
  const operatorIngress = (ns: string): OperatorIngress[] =>
    def.training.some((j) => j.namespace === ns && j.engine === TrainingEngine.RAY)
      ? [
          {
            name: 'kuberay-dashboard',
            fromNamespace: HELM_CHARTS.kuberay.namespace,
            podLabels: { 'ray.io/node-type': 'head' },
            ports: [RAY_DASHBOARD_PORT],
          },
        ]
      : [];
  for (const team of def.teams) {
    const quota = {
      [acceleratorResourceName(AcceleratorVendor.NVIDIA)!]: team.gpuQuota,
      [acceleratorResourceName(AcceleratorVendor.AWS_NEURON)!]: team.neuronQuota,
    };
    namespaces.set(
      team.name,
      deliver(
        `Namespace-${team.name}`,
        new TeamNamespace(app, `namespace-${team.name}`, {
          name: team.name,
          acceleratorQuota: quota,
          servicePorts: ports(team.name),
          scraperCidrs,
          operatorIngress: operatorIngress(team.name),
          egress: team.egress,
        }),
      ),
    );
  }
  for (const w of [...def.inference, ...def.training].filter((x) => !namespaces.has(x.namespace))) {
    namespaces.set(
      w.namespace,
      deliverIn(
        scopeOf(w.name),
        `Namespace-${w.namespace}`,
        new TeamNamespace(app, `namespace-${w.namespace}`, {
          name: w.namespace,
          servicePorts: ports(w.namespace),
          scraperCidrs,
          operatorIngress: operatorIngress(w.namespace),
        }),
      ),
    );
  }

  const accessOf = (name: string): IConstruct[] => (opts.workloadAccess[name] ? [opts.workloadAccess[name]] : []);
  // Zones mounted through the Mountpoint for Amazon S3 CSI driver (installed once, only when used).
  const mountsOf = (access: DataAccessDefinition[]): { mounts: S3Mount[]; deps: IConstruct[] } => {
    const mounts = access
      .filter((a) => a.mountPath)
      .map((a) => ({
        name: a.zone,
        bucketName: opts.dataLake.zoneBucketName(a.zone),
        mountPath: a.mountPath!,
        readOnly: a.access === DataAccessLevel.READ,
      }));
    return { mounts, deps: mounts.length > 0 ? [MountpointDriver.ensure(cluster, def.cluster.kubernetesVersion)] : [] };
  };
  const groups = loadBalancerGroups(def);
  for (const svc of def.inference) {
    const pool = pools.get(svc.nodePool) as ResolvedNodePool;
    const usesKeda = svc.scaling.metric !== ScalingMetric.CPU;
    const s3 = mountsOf(svc.dataAccess);
    const deps: IConstruct[] = [namespaces.get(svc.namespace)!, ...accessOf(svc.name), ...s3.deps];
    if (usesKeda)
      deps.push(Operators.ensure(cluster, Operator.KEDA, { prometheusWorkspaceArn: prometheus?.workspace.attrArn }));
    const zoneModel = svc.model?.zone !== undefined;
    if (zoneModel && s3.deps.length === 0) deps.push(MountpointDriver.ensure(cluster, def.cluster.kubernetesVersion));
    // The Ingress after the controller (its webhook admits Ingresses), so it is deleted before it too.
    if (svc.expose) deps.push(Operators.ensure(cluster, Operator.AWS_LOAD_BALANCER_CONTROLLER));
    // At zero replicas its requests wait at the add-on's interceptor, whose CRD and namespace come with the release.
    if (svc.expose && svc.minReplicas === 0) deps.push(Operators.ensure(cluster, Operator.KEDA_HTTP_ADD_ON));
    const props = {
      name: svc.name,
      namespace: svc.namespace,
      image: svc.image,
      port: svc.port,
      placement: Placement.onPool(pool.name, pool.instances, svc.gpus, 0, pool.diskGiB),
      minReplicas: svc.minReplicas,
      maxReplicas: svc.maxReplicas,
      scaling: svc.scaling,
      prometheus: usesKeda ? prometheus!.source : undefined,
      s3Mounts: s3.mounts,
      model:
        svc.model && zoneModel
          ? { ...svc.model, bucketName: opts.dataLake.zoneBucketName(svc.model.zone!) }
          : svc.model,
      args: svc.args,
      env: svc.env,
      secrets: svc.secrets,
      command: svc.command,
      secretReaderImage: runtimeImage(RUNTIME_IMAGES.secretReader, def.network.mirror?.registry),
      startupBudget: Duration.seconds(svc.startupBudgetSeconds),
      expose: svc.expose,
      loadBalancerGroup: svc.expose ? groups.get(svc.expose.visibility ?? ExposureVisibility.INTERNAL) : undefined,
    };
    const access = opts.workloadAccess[svc.name];
    if (access) {
      if (zoneModel) grantPrefix(opts.dataLake, access.role, svc.model!.zone!, svc.model!.path!, false);
      grantSecretsRead(access.role, InferenceService.secretArns(props));
    }
    const service = new InferenceService(app, `inference-${svc.name}`, props);
    deliverIn(scopeOf(svc.name), `Inference-${svc.name}`, service, ...deps);
    if (service.endpointUrl !== undefined) endpointOutput(opts.stack, svc.name, service);
  }
  for (const job of def.training) {
    const pool = pools.get(job.nodePool) as ResolvedNodePool;
    const access = opts.workloadAccess[job.name];
    if (access && job.output) grantPrefix(opts.dataLake, access.role, job.output.zone, job.output.path, true);
    if (access && job.input) grantPrefix(opts.dataLake, access.role, job.input.zone, job.input.path, false);
    // A Ray pipeline reads its sources (its dataAccess) and writes only its folder of the target, as its job's arguments say.
    const ray = job.pipeline && rayPipelineRun(job.pipeline, opts.dataLake);
    if (access && job.pipeline) grantPrefix(opts.dataLake, access.role, job.pipeline.to, job.pipeline.awsName, true);
    const operator = Operators.ensure(cluster, job.engine === TrainingEngine.RAY ? Operator.KUBERAY : Operator.JOBSET);
    const s3 = mountsOf(job.dataAccess);
    deliverIn(
      scopeOf(job.name),
      `Training-${job.name}`,
      new TrainingJob(app, `training-${job.name}`, {
        name: job.name,
        namespace: job.namespace,
        image: job.image,
        engine: job.engine,
        nodes: job.nodes,
        placement: Placement.onPool(pool.name, pool.instances, job.gpusPerNode, pool.nodes.efaInterfaces, pool.diskGiB),
        command: ray ? ray.command : job.command.length > 0 ? job.command : undefined,
        files: ray?.files,
        s3Mounts: s3.mounts,
        schedule: job.schedule,
        maxRunHours: job.maxRunHours,
        output: job.output && { bucketName: opts.dataLake.zoneBucketName(job.output.zone), path: job.output.path },
        input: job.input && { bucketName: opts.dataLake.zoneBucketName(job.input.zone), path: job.input.path },
        torchrun: !job.optimization,
        launcherImage: kubectlImage(def.cluster.kubernetesVersion, def.network.mirror?.registry),
      }),
      namespaces.get(job.namespace)!,
      operator,
      ...accessOf(job.name),
      ...s3.deps,
    );
  }
}
