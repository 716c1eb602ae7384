import type { ResolvedDefinition } from '../definition/resolved';
import { planPlatform, type PlatformPlan } from './plan';
import { renderPlanMarkdown } from './plan-report';

/** The plan's entry points as static methods, for every jsii language. */
export class PlatformPlanner {
  /** Capacity, schedulability and cost of a resolved definition (pure: nothing is synthesized). */
  public static plan(definition: ResolvedDefinition): PlatformPlan {
    return planPlatform(definition);
  }

  /** The plan as Markdown: tables, the idle floor item by item, and a Mermaid diagram. */
  public static renderMarkdown(plan: PlatformPlan): string {
    return renderPlanMarkdown(plan);
  }

  private constructor() {}
}
