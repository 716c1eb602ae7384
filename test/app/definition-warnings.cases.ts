import { definitionWarningsSummary } from '../../bin/definition-warnings';
import { resolveDefinition } from '../../lib/definition/resolve';
import { referenceWith } from '../helpers';

// What the reference app prints after synth about the definition's warnings: the definition's words only.
test('warnings are printed with their field path and how the definition accepts them, not a CDK id or a .js location', () => {
  const { warnings } = resolveDefinition(
    referenceWith((d) => {
      d.acknowledgeWarnings = [];
      d.monitoring.monthlyBudgetUsd = 100;
    }),
  );
  const text = definitionWarningsSummary(warnings, 'platform.yaml');
  expect(text).toMatch(/^The definition platform\.yaml raises \d+ warnings? /);
  expect(text).toContain('  - monitoring.monthlyBudgetUsd (100) is below what the platform can cost at full scale');
  expect(text).toContain(
    "to accept it, add to the definition: acknowledgeWarnings: [{ warning: 'monitoring.monthlyBudgetUsd', reason: '<why it is acceptable>' }]",
  );
  expect(text).not.toMatch(/Annotation::ai-platform|\.js:\d+/);
});

test('warnings the definition accepts are not printed again', () => {
  const { warnings } = resolveDefinition(
    referenceWith((d) => {
      d.monitoring.monthlyBudgetUsd = 100;
      d.acknowledgeWarnings = [
        { warning: 'monitoring.monthlyBudgetUsd', reason: 'a pilot; the pools never reach maxNodes' },
      ];
    }),
  );
  expect(warnings.some((w) => w.path === 'monitoring.monthlyBudgetUsd')).toBe(true);
  expect(definitionWarningsSummary(warnings, 'platform.yaml')).not.toContain('monitoring.monthlyBudgetUsd');
});
