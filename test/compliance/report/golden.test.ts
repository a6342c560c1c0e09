import { expectGolden, fixtureModel } from './fixtures';
import { renderMarkdown } from '../../../src/compliance/report/markdown';
import { renderSarif } from '../../../src/compliance/report/sarif';

// No golden for an assembly without a report: nothing was checked, and no report is written (write-reports.test.ts).
describe.each(['findings', 'passing'])('golden reports for %s', fixture => {
  test('report.md', () => {
    expectGolden(fixture, 'report.md', renderMarkdown(fixtureModel(fixture)));
  });

  test('report.sarif', () => {
    expectGolden(fixture, 'report.sarif', `${JSON.stringify(renderSarif(fixtureModel(fixture)), undefined, 2)}\n`);
  });
});
