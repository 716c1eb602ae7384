/** Node labels and taints the library puts on nodes; workloads select and tolerate them. */

/** The pool a node belongs to. */
export const POOL_LABEL = 'ai-platform/pool';
/** The accelerator vendor of a node (`nvidia`, `aws-neuron`, `none`). */
export const ACCELERATOR_LABEL = 'ai-platform/accelerator';
/** The accelerator model of a node (e.g. `L40S`), when a pool has one model. */
export const ACCELERATOR_MODEL_LABEL = 'ai-platform/accelerator-model';
/** `true` on nodes with EFA interfaces. */
export const EFA_LABEL = 'ai-platform/efa';
/** Which device plugin the library runs on a node (`nvidia`, `neuron`); absent where the AMI bundles one. */
export const DEVICE_PLUGIN_LABEL = 'ai-platform/device-plugin';
