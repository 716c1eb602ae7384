import { observabilityConfiguration } from '../../lib/monitoring/container-insights';
import { CONTAINER_INSIGHTS_INTERVAL_SECONDS, INFERENCE_SCRAPE_INTERVAL_SECONDS } from '../../lib/monitoring/metrics';

// The amazon-cloudwatch-observability chart renders one AmazonCloudWatchAgent per entry of `agents`, each merged
// over `agent` (templates/linux/cloudwatch-agent-custom-resource.yaml); by default one DaemonSet agent (the
// cluster scraper only with otelContainerInsights.enabled, default false). Its `pod` service discovery has no
// node filter, so without a target allocator every agent scrapes every inference pod.
describe('the CloudWatch agent add-on configuration', () => {
  const config = observabilityConfiguration('acme-ml') as any;

  test('one agent scrapes each inference pod: the target allocator shares the targets out', () => {
    expect(config.agent.prometheus.targetAllocator).toEqual({ enabled: true });
    // No `agents` list: it would replace the chart's and could give the scrape config to more than one agent.
    expect(config.agents).toBeUndefined();
    expect(config.agent.mode).toBeUndefined();
  });

  test('the intervals the dashboard divides by are the ones the agent uses', () => {
    expect(config.agent.config.logs.metrics_collected.kubernetes.metrics_collection_interval).toBe(
      CONTAINER_INSIGHTS_INTERVAL_SECONDS,
    );
    expect(config.agent.prometheus.config.global.scrape_interval).toBe(`${INFERENCE_SCRAPE_INTERVAL_SECONDS}s`);
    expect(CONTAINER_INSIGHTS_INTERVAL_SECONDS).toBe(60);
  });
});
