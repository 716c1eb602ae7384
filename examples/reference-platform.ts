import {
  AmiFamily,
  CapacityType,
  EndpointAccess,
  DataAccessLevel,
  ExposureVisibility,
  PipelineEngine,
  Provisioner,
  ScalingMetric,
  TableFormat,
  TrainingEngine,
  type AiPlatformDefinition,
} from '../lib';

/**
 * The reference platform: what `npx cdk synth` builds. An LLM inference service on a spot GPU pool that
 * scales from zero nodes (one replica stays up: a service at zero replicas needs a wake signal that exists
 * without it, see `scaling.query`), and a 2-node PyTorch training job on an EFA pool of p5 instances. A model moves
 * from training to serving in three steps: `finetune` writes a new version every week, `awq` quantizes a version
 * when started, and `llm` serves the version its `model.path` names.
 */
export const referencePlatform: AiPlatformDefinition = {
  name: 'acme-ml',
  tags: { team: 'ml-platform' },
  network: { maxAzs: 3, natGateways: 1 },
  cluster: {
    kubernetesVersion: '1.35',
    endpointAccess: EndpointAccess.PUBLIC_AND_PRIVATE,
    publicAccessCidrs: ['203.0.113.0/24'],
    adminRoleArns: ['arn:aws:iam::123456789012:role/platform-admin'],
  },
  nodePools: [
    {
      name: 'inference',
      instanceTypes: ['g6e.xlarge', 'g6e.2xlarge'],
      minNodes: 0,
      maxNodes: 8,
      capacityType: CapacityType.SPOT,
      amiFamily: AmiFamily.AL2023,
      provisioner: Provisioner.MANAGED_NODE_GROUP,
    },
    {
      name: 'training',
      instanceTypes: ['p5.48xlarge'],
      maxNodes: 4,
      efa: true,
      diskGiB: 500,
    },
  ],
  dataLake: { zones: ['raw', 'curated', 'features', 'models'], archiveAfterDays: 90 },
  inference: [
    {
      name: 'llm',
      image: 'vllm/vllm-openai:v0.11.0',
      nodePool: 'inference',
      gpus: 1,
      minReplicas: 1,
      maxReplicas: 6,
      scaling: { metric: ScalingMetric.CONCURRENCY, target: 8 },
      // Served from the models zone: that folder is mounted read-only and the service may read it alone. It names one
      // version: the base model's weights, copied there once (README, "From a definition to a served model"). Once a
      // weekly fine-tune is quantized by a run of `awq`, promoting it is changing this path to that run's folder
      // (e.g. 'llama-3.1-8b-ft-awq/awq-202612070900'): the next deploy rolls the service onto it.
      model: { zone: 'models', path: 'llama-3.1-8b-instruct/v1' },
      args: ['--max-model-len', '8192'],
      env: { VLLM_LOGGING_LEVEL: 'INFO' },
      // Reachable from the VPC through the platform's internal load balancer (kubectl -n llm get ingress llm).
      expose: { visibility: ExposureVisibility.INTERNAL },
    },
  ],
  training: [
    {
      name: 'pretrain',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:1',
      nodePool: 'training',
      engine: TrainingEngine.PYTORCH,
      nodes: 2,
      gpusPerNode: 8,
      dataAccess: [
        { zone: 'curated', access: DataAccessLevel.READ },
        { zone: 'models', access: DataAccessLevel.READ_WRITE },
      ],
    },
    {
      // Fine-tunes every Sunday at 03:00 Berlin time on two p5 nodes. Each run writes its own version under
      // models/llama-3.1-8b-ft/<run id>/ (OUTPUT_URI; the run id is the CronJob's Job name, finetune-<minutes since
      // 1970>). The job may write under models/llama-3.1-8b-ft/ only (every run's folder: the bucket's versioning keeps
      // what a run overwrites); a run never overlaps the next (concurrency Forbid).
      name: 'finetune',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/trainer:1',
      nodePool: 'training',
      nodes: 2,
      gpusPerNode: 8,
      // Starts from the base model in the models zone (read), on the curated reviews (read).
      command: ['finetune.py', '--base-model', 'llama-3.1-8b-instruct/v1', '--data', 'reviews/'],
      schedule: { cron: '0 3 * * 0', timeZone: 'Europe/Berlin' },
      output: { zone: 'models', path: 'llama-3.1-8b-ft' },
      maxRunHours: 12,
      dataAccess: [
        { zone: 'curated', access: DataAccessLevel.READ },
        { zone: 'models', access: DataAccessLevel.READ },
      ],
    },
  ],
  // Quantizes one fine-tuned version for serving (4-bit weights, AWQ): run by hand once a fine-tune is reviewed,
  // `kubectl -n awq create job --from=cronjob/awq awq-$(date -u +%Y%m%d%H%M)`. It reads only its input version
  // (INPUT_URI) and writes models/llama-3.1-8b-ft-awq/<run id>/.
  optimizations: [
    {
      name: 'awq',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/llm-compressor:1',
      nodePool: 'inference',
      gpusPerNode: 1,
      command: ['python', 'quantize.py', '--scheme', 'W4A16'],
      input: { zone: 'models', path: 'llama-3.1-8b-ft/finetune-29942040' },
      output: { zone: 'models', path: 'llama-3.1-8b-ft-awq' },
      maxRunHours: 2,
    },
  ],
  teams: [{ name: 'research', gpuQuota: 16 }],
  // Data pipelines (Spark on EMR Serverless, run by Step Functions): a nightly clean of raw reviews into a
  // partitioned table, and the same job run as reviews arrive; and one on Ray in the cluster. The script path is
  // relative to where synth runs.
  pipelines: [
    {
      name: 'reviews-nightly',
      script: 'examples/jobs/reviews_clean.py',
      from: ['raw'],
      to: 'curated',
      trigger: { schedule: 'cron(0 2 * * ? *)' },
      maxCapacity: { vcpu: 16, memoryGiB: 64 },
      runTimeoutMinutes: 60,
      table: {
        name: 'reviews',
        format: TableFormat.PARQUET,
        partitionKeys: ['dt'],
        // What examples/jobs/reviews_clean.py writes.
        columns: [
          { name: 'review_id', type: 'string' },
          { name: 'product_id', type: 'string' },
          { name: 'rating', type: 'int' },
          { name: 'review_text', type: 'string' },
          { name: 'review_ts', type: 'timestamp' },
        ],
      },
    },
    {
      name: 'reviews-arrival',
      script: 'examples/jobs/reviews_clean.py',
      from: ['raw'],
      to: 'features',
      trigger: { onArrival: { zone: 'raw', prefix: 'reviews/' } },
      runTimeoutMinutes: 30,
    },
    {
      // Ray (a RayJob on two GPU nodes of the inference pool, started by a CronJob in UTC): the curated reviews as
      // feature vectors in features/acme-ml-embed-reviews/, weekdays after the nightly clean. A run by hand:
      // kubectl -n embed-reviews create job --from=cronjob/embed-reviews embed-reviews-1
      name: 'embed-reviews',
      engine: PipelineEngine.RAY,
      script: 'examples/jobs/embed_reviews.py',
      // {Ray version}-{Python}-{platform} (ray-project/ray docker/ray/README.md), Ray as RUNTIME_VERSIONS.rayVersion.
      image: 'rayproject/ray:2.49.0-py311-gpu',
      nodePool: 'inference',
      nodes: 2,
      gpusPerNode: 1,
      from: ['curated'],
      to: 'features',
      trigger: { schedule: 'cron(0 4 ? * MON-FRI *)' },
      runTimeoutMinutes: 60,
    },
  ],
  monitoring: { alarmEmails: ['oncall@example.com'], monthlyBudgetUsd: 20000 },
  // The training pool at full scale would cost far more than the budget; the budget is meant to notify first.
  acknowledgeWarnings: [
    {
      warning: 'monitoring.monthlyBudgetUsd',
      reason: 'The budget notifies well before the pools reach maxNodes; that is its job',
    },
    {
      warning: 'monitoring.budgetCostFilter',
      reason:
        'The ai-platform cost allocation tag is activated once per account before the first deploy (see the README, Monitoring)',
    },
  ],
};
