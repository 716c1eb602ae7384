import { STACK_POLICY_RESOURCE_TYPE } from '../../core/stack-policy';

/** The logical IDs each stack's deployed policy denies replacing or deleting, read from the StackPolicy resources. */
export function deniedByPolicy(templates: Record<string, any>): Map<string, Set<string>> {
  const denied = new Map<string, Set<string>>();
  for (const template of Object.values(templates)) {
    for (const r of Object.values<any>(template?.Resources ?? {})) {
      if (r.Type !== STACK_POLICY_RESOURCE_TYPE) continue;
      try {
        const call = JSON.parse(String(r.Properties?.Update ?? r.Properties?.Create));
        const body = JSON.parse(call.parameters.StackPolicyBody);
        const ids = (body.Statement as any[])
          .filter((s) => s.Effect === 'Deny')
          .map((s) => String(s.Resource).replace(/^LogicalResourceId\//, ''));
        denied.set(call.parameters.StackName, new Set(ids));
      } catch {
        // A policy whose body is only known at deploy time: nothing to read.
      }
    }
  }
  return denied;
}
