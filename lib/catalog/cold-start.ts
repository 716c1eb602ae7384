import { deepFreeze } from './deep-freeze';

/**
 * A modelled cold start of an inference replica at zero: a GPU node launched (when its pool can be empty), the
 * server image pulled, the model's weights read. The figures are ASSUMPTIONS, each labelled: AWS publishes no node
 * ready time or pull throughput, and synth is offline, so the vLLM image's size is not read from its registry
 * manifest. They give an order of magnitude to hold `coldStartTimeoutSeconds` against; measure yours (the
 * interceptor's wait shows in the first request's latency) and set the timeout from that.
 */
export const COLD_START_FIGURES = deepFreeze({
  /**
   * Seconds from a pending pod to a GPU node that advertises its accelerators: EC2 launch, boot of the accelerated
   * AMI, kubelet join, device plugin ready. ASSUMPTION: no AWS-published figure; commonly seen at 2–5 minutes.
   */
  gpuNodeReadySeconds: 240,
  /** Effective image pull, download plus unpack, MiB/s. ASSUMPTION (layer unpack, not the network, usually bounds it). */
  imagePullMiBps: 50,
  /**
   * Compressed sizes of known server images, GiB, by repository. ASSUMPTION: vllm/vllm-openai's CUDA image is
   * roughly 9 GiB compressed in recent releases; not read from the registry manifest (synth is offline).
   */
  imageSizesGiB: { 'vllm/vllm-openai': 9 } as Record<string, number>,
  /**
   * Weights read from a zone through Mountpoint for Amazon S3, MiB/s, one server process. ASSUMPTION: Mountpoint
   * reads large objects in parallel ranged GETs; the instance's network bandwidth is well above this on GPU types.
   */
  zoneReadMiBps: 500,
} as const);

/** What a cold start is modelled from. */
export interface ColdStartInput {
  /** The server image reference (`repo:tag`, possibly with a registry). */
  readonly image: string;
  /** Whether the service's pool can have no node (minNodes 0): the first replica then waits for a node. */
  readonly poolCanBeEmpty: boolean;
  /** Where the weights come from: a zone (Mountpoint), a hub (downloaded at start), or the image itself. */
  readonly modelSource: 'zone' | 'hub' | 'image';
  /** The weights' size, GiB, when the definition states it. */
  readonly modelSizeGiB?: number;
}

/** A modelled cold start: each part in seconds, `undefined` where unknown; `seconds` sums the known parts. */
export interface ColdStartEstimate {
  readonly nodeLaunchSeconds: number;
  readonly imagePullSeconds?: number;
  readonly modelLoadSeconds?: number;
  /** The sum of the known parts, rounded up: the whole cold start when `complete`, else a lower bound. */
  readonly seconds: number;
  readonly complete: boolean;
  /** Why a part is unknown. */
  readonly unknown: string[];
}

/** The repository of an image reference, without registry, tag or digest (`vllm/vllm-openai`). */
function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  const repo = colon < 0 ? noDigest : noDigest.slice(0, colon);
  const parts = repo.split('/');
  // A first part with a dot or a colon, or `localhost`, is a registry host (Docker's reference grammar).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) parts.shift();
  return parts.join('/');
}

/** The modelled cold start of one replica (figures: {@link COLD_START_FIGURES}). */
export function modelColdStart(input: ColdStartInput, figures = COLD_START_FIGURES): ColdStartEstimate {
  const unknown: string[] = [];
  const nodeLaunchSeconds = input.poolCanBeEmpty ? figures.gpuNodeReadySeconds : 0;
  const imageGiB = figures.imageSizesGiB[repositoryOf(input.image)];
  const imagePullSeconds = imageGiB === undefined ? undefined : (imageGiB * 1024) / figures.imagePullMiBps;
  if (imagePullSeconds === undefined) unknown.push(`image pull: the size of ${input.image} is not in the catalog`);
  let modelLoadSeconds: number | undefined;
  if (input.modelSource === 'image') modelLoadSeconds = 0;
  else if (input.modelSource === 'hub') unknown.push("model load: a hub model downloads at the hub's speed");
  else if (input.modelSizeGiB === undefined) unknown.push('model load: the model size is unknown (model.sizeGiB)');
  else modelLoadSeconds = (input.modelSizeGiB * 1024) / figures.zoneReadMiBps;
  const seconds = Math.ceil(nodeLaunchSeconds + (imagePullSeconds ?? 0) + (modelLoadSeconds ?? 0));
  return { nodeLaunchSeconds, imagePullSeconds, modelLoadSeconds, seconds, complete: unknown.length === 0, unknown };
}

/** `458 s = node launch 240 s + image pull 185 s + model load 33 s`, unknown parts named with their reason. */
export function describeColdStart(e: ColdStartEstimate): string {
  const part = (name: string, s: number | undefined) => (s === undefined ? [] : [`${name} ${Math.ceil(s)} s`]);
  const parts = [
    ...part('node launch', e.nodeLaunchSeconds),
    ...part('image pull', e.imagePullSeconds),
    ...part('model load', e.modelLoadSeconds),
  ];
  return `${e.seconds} s = ${parts.join(' + ')}${e.unknown.length > 0 ? `; unknown: ${e.unknown.join('; ')}` : ''}`;
}
