// The other group of npm test (see one.group.ts).
import '../data-lake/data-lake.test';
import '../pipelines/data-pipeline.test';
import '../monitoring/ai-monitoring.test';
import '../lifecycle/lifecycle.test';
import '../change-report/change-report.test';
import '../definition/validation.test';
import '../definition/delivery.test';
import '../architecture/layers.test';
import '../platform/registry-mirror.test';
