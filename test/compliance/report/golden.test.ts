import { expectGolden, fixtureModel } from './fixtures';
import { renderMarkdown } from '../../../src/compliance/report/markdown';
import { renderSarif } from '../../../src/compliance/report/sarif';

describe.each(['findings', 'passing', 'no-report'])('golden reports for %s', fixture => {
  test('report.md', () => {
    expectGolden(fixture, 'report.md', renderMarkdown(fixtureModel(fixture)));
  });

  test('report.sarif', () => {
    expectGolden(fixture, 'report.sarif', `${JSON.stringify(renderSarif(fixtureModel(fixture)), undefined, 2)}\n`);
  });
});
