import { SECRET_READER_IMAGE } from './defaults';
import { Duration } from 'aws-cdk-lib';
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { throwIfProblems, type Problem } from '../core/problems';
import {
  acceleratorsProblems,
  inferenceProblems,
  startupBudgetProblems,
  workloadNameProblems,
} from './workload-checks';
import { defaultActivationThreshold, VLLM_ENTRYPOINT, WORKLOAD_DEFAULTS } from './defaults';
import {
  commandProblems,
  envProblems,
  modelArgs,
  modelMount,
  modelProblems,
  serverSecrets,
  type InferenceModel,
} from './inference-model';
import { secretDelivery } from './private/secret-delivery';
import { ScalingMetric } from './scaling-metric';
import {
  DEFAULT_COLD_START_TIMEOUT_SECONDS,
  endpointUrl,
  exposeService,
  exposureFitProblems,
  exposureProblems,
  groupProblems,
  ingressOf,
  targetGroupPrefix,
  type InferenceExposure,
  type LoadBalancerGroup,
} from './inference-exposure';
import { holdRequests, INTERCEPTOR_BACKEND } from './private/request-holding';
import { ScaledObject } from './imports/keda-scaledobject-keda.sh';
import {
  TriggerAuthentication,
  TriggerAuthenticationSpecPodIdentityIdentityOwner,
  TriggerAuthenticationSpecPodIdentityProvider,
} from './imports/keda-triggerauthentication-keda.sh';
import {
  CACHE_ENV,
  containerResources,
  podPlacement,
  RESTRICTED_CONTAINER,
  RESTRICTED_POD,
  scratchVolumes,
  type WorkloadPlacement,
} from './placement';
import { s3MountProblems, s3MountVolumes, type S3Mount } from './s3-mounts';

/** Where KEDA reads Prometheus metrics: an Amazon Managed Service for Prometheus workspace, queried with SigV4. */
export interface PrometheusSource {
  /** The workspace's Prometheus endpoint, e.g. `https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-…/`. */
  readonly serverAddress: string;
  readonly awsRegion: string;
}

/** How an inference service scales. */
export interface InferenceScaling {
  readonly metric: ScalingMetric;
  /** Per replica: in-flight or waiting requests, or percent for utilisation metrics. */
  readonly target: number;
  /** Summed signal above which a service at zero wakes up. */
  readonly activationThreshold: number;
  /** A PromQL query replacing the built-in one for the metric. @default - the built-in query (vLLM / DCGM metric names) */
  readonly query?: string;
}

/** Props of {@link InferenceService}. */
export interface InferenceServiceProps {
  /** Labels on every object of the chart. @default - none */
  readonly labels?: Record<string, string>;
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  readonly placement: WorkloadPlacement;
  /** @default 8000 */
  readonly port?: number;
  /**
   * The model served: a zone path (its prefix mounted read-only at `/models/<zone>/<path>`) or a hub model. Passed
   * to the server as vLLM's `--model` and `--served-model-name`, before `args`. @default - none: the image's own
   */
  readonly model?: InferenceModel;
  /** Server arguments (after the model's). @default - the image's */
  readonly args?: string[];
  /** Plain environment values; not names the platform sets (HOME, HF_HOME, ..., AWS_CONTAINER_*). @default - none */
  readonly env?: Record<string, string>;
  /**
   * Secrets Manager secrets by environment name (`{ API_KEY: <secret ARN> }`): read at start with the service's
   * Pod Identity role (which needs `secretsmanager:GetSecretValue` on them: {@link InferenceService.secretArns}),
   * never written into a manifest. @default - none
   */
  readonly secrets?: Record<string, string>;
  /**
   * The image of the init container that reads `secrets` (the AWS CLI); name its copy in a registry mirror when
   * the nodes reach no public registry. @default - the catalog's pinned AWS CLI image (VersionCatalog.mirrorList lists it)
   */
  readonly secretReaderImage?: string;
  /**
   * The server's entrypoint, needed with secrets (the server then starts through a shell that exports them).
   * @default - `vllm serve` for vLLM's image; required with secrets for other images
   */
  readonly command?: string[];
  /** How long a replica may take to load its model before the startup probe gives up. @default Duration.minutes(30) */
  readonly startupBudget?: Duration;
  /** HTTP path of health probes. @default '/health' */
  readonly healthPath?: string;
  /** @default 1 */
  readonly minReplicas?: number;
  /** @default 3 */
  readonly maxReplicas?: number;
  /** @default - concurrency 8 per replica, activation 1 */
  readonly scaling?: InferenceScaling;
  /** Required for the KEDA metrics (all but `cpu`). @default - none */
  readonly prometheus?: PrometheusSource;
  /** The service account (its Pod Identity association gives data access). @default - the service name */
  readonly serviceAccountName?: string;
  /** Data-lake zones to mount (Mountpoint for Amazon S3 CSI driver). @default - none */
  readonly s3Mounts?: S3Mount[];
  /**
   * Reach the service from outside the cluster through an ALB: an Ingress for the AWS Load Balancer Controller
   * (install it: `Operators.ensure(cluster, Operator.AWS_LOAD_BALANCER_CONTROLLER)`, and deliver this chart after it).
   * With `minReplicas: 0` requests go through the KEDA HTTP add-on's interceptor, which holds them while a replica
   * starts (install it: `Operator.KEDA_HTTP_ADD_ON`, and deliver this chart after it too).
   * Needs `loadBalancerGroup`. @default - not exposed: a ClusterIP Service only
   */
  readonly expose?: InferenceExposure;
  /** The shared ALB an exposed service joins. Required with `expose`. @default - none */
  readonly loadBalancerGroup?: LoadBalancerGroup;
}

/** A KEDA Prometheus query and how KEDA reads it. */
export interface ScalingQuery {
  readonly query: string;
  /** `AverageValue` (KEDA divides by replicas) or `Value` (already a per-replica average). */
  readonly metricType: string;
}

/** The built-in PromQL for each KEDA metric. */
export function scalingQuery(metric: ScalingMetric, namespace: string, name: string): ScalingQuery {
  const sel = `namespace="${namespace}",app="${name}"`;
  switch (metric) {
    case ScalingMetric.CONCURRENCY:
      return { query: `sum(vllm:num_requests_running{${sel}})`, metricType: 'AverageValue' };
    case ScalingMetric.QUEUE_DEPTH:
      return { query: `sum(vllm:num_requests_waiting{${sel}})`, metricType: 'AverageValue' };
    case ScalingMetric.GPU_UTILIZATION:
      return { query: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="${namespace}",pod=~"${name}-.*"})`, metricType: 'Value' };
    case ScalingMetric.CPU:
      throw new Error('cpu scaling uses a HorizontalPodAutoscaler, not a query');
  }
}

/**
 * An inference service on accelerators: Deployment and Service, GPU/Neuron requests, the pool's taint
 * tolerated and its nodes required, probes, zone and node spread, a PodDisruptionBudget, the restricted
 * security profile, its own service account, and autoscaling (HPA for `cpu`; KEDA ScaledObject on
 * Prometheus metrics otherwise, where `minReplicas: 0` scales to zero behind an activation threshold).
 */
export class InferenceService extends Chart {
  public readonly serviceName: string;
  public readonly namespaceName: string;
  /**
   * The URL clients call when exposed: `https://<host>/` (`http://` without a certificate); without a host,
   * `<ALB DNS name>` stands for the load balancer's name, which the controller creates at deploy time. @default - not exposed
   */
  public readonly endpointUrl?: string;
  /** `<namespace>/<name>` of the exposed service's Ingress; its status holds the ALB's DNS name. @default - not exposed */
  public readonly ingressRef?: string;
  /**
   * The start of the exposed service's target group name (`k8s-<namespace>-<service>-`, the controller's naming),
   * which finds its ALB metrics (`MonitoredService.loadBalancer`). @default - not exposed
   */
  public readonly targetGroupPrefix?: string;

  /**
   * Problems of the props (image, replicas, port, scaling, and a Prometheus source for the KEDA metrics),
   * with field names relative to the props; the definition reports the same rules under `inference[i]`.
   * A token (an ECR repository's URI, an image asset) is resolved at deploy time and checked then.
   */
  public static check(props: InferenceServiceProps): Problem[] {
    const scaling = props.scaling;
    const problems = [
      ...workloadNameProblems('name', props.name),
      ...acceleratorsProblems('placement.accelerators', props.placement.accelerators, 'inference'),
    ];
    problems.push(
      ...inferenceProblems({
        image: props.image,
        minReplicas: props.minReplicas,
        maxReplicas: props.maxReplicas,
        port: props.port,
        metric: scaling?.metric,
        target: scaling?.target,
        activationThreshold: scaling?.activationThreshold,
        query: scaling?.query,
        exposed: props.expose !== undefined,
      }),
    );
    problems.push(...s3MountProblems(props.s3Mounts ?? []));
    if (props.model) problems.push(...modelProblems(props.model, true));
    problems.push(...envProblems(props.env ?? {}, props.secrets ?? {}, props.model));
    problems.push(...commandProblems(props.image, props.command, props.secrets ?? {}, props.model));
    if (props.startupBudget && !props.startupBudget.isUnresolved()) {
      const budget = props.startupBudget;
      problems.push(...startupBudgetProblems('startupBudget', budget.toSeconds(), budget.toHumanString()));
    }
    if (props.expose) {
      problems.push(...exposureProblems(props.expose));
      if (!props.loadBalancerGroup)
        problems.push({
          field: 'loadBalancerGroup',
          message: 'is required with expose (the IngressGroup and the VPC CIDR the ALB reaches the pods from)',
        });
      else {
        problems.push(...groupProblems(props.loadBalancerGroup));
        const minReplicas = props.minReplicas ?? WORKLOAD_DEFAULTS.inference.minReplicas;
        problems.push(...exposureFitProblems(props.expose, props.loadBalancerGroup, minReplicas));
      }
    }
    const metric = scaling?.metric ?? WORKLOAD_DEFAULTS.inference.scaling.metric;
    if (metric !== ScalingMetric.CPU && !props.prometheus) {
      problems.push({
        field: 'prometheus',
        message: `is required with scaling metric ${metric} (KEDA reads it from Prometheus)`,
      });
    }
    return problems;
  }

  /** The Secrets Manager ARNs the service's pods read at start (`secrets` and the hub token): grant its role GetSecretValue on these. */
  public static secretArns(props: InferenceServiceProps): string[] {
    return [...new Set(Object.values(serverSecrets(props.secrets ?? {}, props.model)))].sort();
  }

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id, { labels: props.labels, namespace: props.namespace, disableResourceNameHashes: true });
    const { name, namespace, placement } = props;
    const d = WORKLOAD_DEFAULTS.inference;
    const port = props.port ?? d.port;
    const minReplicas = props.minReplicas ?? d.minReplicas;
    const maxReplicas = props.maxReplicas ?? d.maxReplicas;
    const scaling = props.scaling ?? {
      ...d.scaling,
      activationThreshold: defaultActivationThreshold(d.scaling.metric),
    };
    const saName = props.serviceAccountName ?? name;
    const healthPath = props.healthPath ?? '/health';
    this.serviceName = name;
    this.namespaceName = namespace;
    throwIfProblems(`InferenceService '${name}'`, InferenceService.check(props), this);

    const selector = { 'app.kubernetes.io/name': name };
    const labels = {
      ...selector,
      'app.kubernetes.io/part-of': 'ai-platform',
      'ai-platform/serves': 'true',
      'ai-platform/workload': name,
    };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: saName, namespace, labels },
      automountServiceAccountToken: false,
    });

    const scratch = scratchVolumes(placement);
    const mount = props.model ? modelMount(props.model) : undefined;
    const modelS3 = mount
      ? [
          {
            name: mount.name,
            bucketName: props.model!.bucketName!,
            mountPath: mount.mountPath,
            readOnly: true,
            prefix: mount.prefix,
          },
        ]
      : [];
    const s3 = s3MountVolumes(
      this,
      namespace,
      name,
      [...(props.s3Mounts ?? []), ...modelS3],
      RESTRICTED_POD.runAsUser!,
    );
    const secrets = serverSecrets(props.secrets ?? {}, props.model);
    const delivery =
      Object.keys(secrets).length > 0
        ? secretDelivery(secrets, props.command ?? [...VLLM_ENTRYPOINT], props.secretReaderImage ?? SECRET_READER_IMAGE)
        : undefined;
    const args = [...(props.model ? modelArgs(props.model) : []), ...(props.args ?? [])];
    const env = Object.keys(props.env ?? {})
      .sort()
      .map((k) => ({ name: k, value: props.env![k] }));
    // The startup probe covers the model load (budget / period failures); readiness and liveness start after it succeeds.
    const period = d.startupProbePeriodSeconds;
    const budget = (props.startupBudget ?? Duration.seconds(d.startupBudgetSeconds)).toSeconds();
    const probe = (initialDelaySeconds: number, periodSeconds: number, failureThreshold: number): k8s.Probe => ({
      httpGet: { path: healthPath, port: k8s.IntOrString.fromString('http') },
      initialDelaySeconds,
      periodSeconds,
      failureThreshold,
    });
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels },
      spec: {
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: {
            labels,
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(port),
              'prometheus.io/path': '/metrics',
            },
          },
          spec: {
            serviceAccountName: saName,
            securityContext: RESTRICTED_POD,
            terminationGracePeriodSeconds: 60,
            ...podPlacement(placement),
            topologySpreadConstraints: ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
              maxSkew: 1,
              topologyKey,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector },
            })),
            containers: [
              {
                name: 'server',
                image: props.image,
                command: delivery?.command ?? props.command,
                args: args.length > 0 ? args : undefined,
                ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
                env: [...CACHE_ENV, ...env],
                resources: containerResources(placement),
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [...scratch.mounts, ...s3.mounts, ...(delivery?.mounts ?? [])],
                startupProbe: probe(0, period, Math.ceil(budget / period)),
                readinessProbe: probe(0, 5, 3),
                livenessProbe: probe(0, 15, 4),
              },
            ],
            initContainers: delivery?.initContainers,
            volumes: [...scratch.volumes, ...s3.volumes, ...(delivery?.volumes ?? [])],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: { name, namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    // Exposed at zero replicas: the first request wakes the service and waits for it at the interceptor.
    const holds = props.expose !== undefined && minReplicas === 0;
    if (props.expose) {
      const ingress = ingressOf(name, namespace, holds ? INTERCEPTOR_BACKEND.namespace : undefined);
      this.endpointUrl = endpointUrl(props.expose);
      this.ingressRef = `${ingress.namespace}/${ingress.name}`;
      this.targetGroupPrefix = targetGroupPrefix(name, namespace, holds);
      exposeService(this, {
        via: holds ? INTERCEPTOR_BACKEND : undefined,
        name,
        namespace,
        port,
        healthPath,
        labels,
        selector,
        expose: props.expose,
        group: props.loadBalancerGroup!,
      });
    }

    new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name, namespace, labels },
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });

    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name };
    if (scaling.metric === ScalingMetric.CPU) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name, namespace, labels },
        spec: {
          scaleTargetRef: target,
          minReplicas,
          maxReplicas,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.target } },
            },
          ],
        },
      });
      return;
    }
    const held = holds
      ? holdRequests(this, {
          name,
          namespace,
          port,
          host: props.expose!.host!,
          labels,
          selector,
          minReplicas,
          maxReplicas,
          // In-flight requests per replica: the service's own target when it scales on concurrency.
          concurrency: Math.max(
            1,
            Math.ceil(scaling.metric === ScalingMetric.CONCURRENCY ? scaling.target : d.scaling.target),
          ),
          coldStartSeconds: props.expose!.coldStartTimeoutSeconds ?? DEFAULT_COLD_START_TIMEOUT_SECONDS,
        })
      : undefined;
    const built = scalingQuery(scaling.metric, namespace, name);
    new TriggerAuthentication(this, 'PrometheusAuth', {
      metadata: { name: `${name}-prometheus`, namespace, labels },
      // KEDA's operator signs queries with its own Pod Identity role (aps:QueryMetrics on the workspace).
      spec: {
        podIdentity: {
          provider: TriggerAuthenticationSpecPodIdentityProvider.AWS,
          identityOwner: TriggerAuthenticationSpecPodIdentityIdentityOwner.KEDA,
        },
      },
    });
    new ScaledObject(this, 'Autoscaler', {
      metadata: { name, namespace, labels },
      spec: {
        scaleTargetRef: target,
        minReplicaCount: minReplicas,
        maxReplicaCount: maxReplicas,
        pollingInterval: 15,
        cooldownPeriod: 300,
        triggers: [
          {
            type: 'prometheus',
            name: scaling.metric,
            metricType: built.metricType,
            authenticationRef: { name: `${name}-prometheus` },
            metadata: {
              serverAddress: props.prometheus!.serverAddress,
              awsRegion: props.prometheus!.awsRegion,
              query: scaling.query ?? built.query,
              threshold: String(scaling.target),
              activationThreshold: String(scaling.activationThreshold),
              ignoreNullValues: 'true',
            },
          },
          ...(held ? [{ ...held, name: 'requests-in-flight' }] : []),
        ],
      },
    });
  }
}
