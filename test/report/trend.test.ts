import { describe, it, expect } from 'vitest';
import { findingSpans } from '../../src/report/trend.js';
import type { FindingStatus } from '../../src/model/types.js';

// three points: the ends of 05-30, 05-31 and 06-01
const points = ['2024-05-30T23:59:59.999Z', '2024-05-31T23:59:59.999Z', '2024-06-01T23:59:59.999Z'].map((at) => ({ at, label: at.slice(0, 10) }));
const D = (day: string, time = '06:00') => `2024-${day}T${time}:00.000Z`;

describe('findingSpans: where each finding turns active or inactive over the trend points', () => {
  it.each<[string, [string, FindingStatus][], number[]]>([
    ['new before the window, still open: active throughout', [[D('05-01'), 'new'], [D('05-02'), 'open']], [0]],
    ['new on the second day', [[D('05-31'), 'new']], [1]],
    ['new, then fixed on the last day', [[D('05-30'), 'new'], [D('06-01'), 'fixed']], [0, 2]],
    ['accepted and reopened between two points: no change seen', [[D('05-30'), 'new'], [D('05-31', '07:00'), 'accepted'], [D('05-31', '08:00'), 'open']], [0]],
    ['fixed then reopened', [[D('05-29'), 'new'], [D('05-30', '12:00'), 'fixed'], [D('06-01'), 'reopened']], [2]],
    ['created accepted: never active', [[D('05-30'), 'accepted']], []],
    ['a change after the last point is not seen', [[D('05-30'), 'new'], [D('06-02'), 'fixed']], [0]],
  ])('%s', (_, history, want) => {
    const spans = findingSpans([{ id: 7, status: history.at(-1)![1], firstSeen: history[0]![0] }], history.map(([at, s]) => [7, at, s] as const), points);
    expect(spans.get(7)).toEqual(want);
  });

  it('keeps only the findings asked for; one without recorded changes keeps its status from its first sighting', () => {
    const changes = [[1, D('05-30'), 'new'], [2, D('05-30'), 'new'], [2, D('05-31'), 'fixed']] as const;
    const spans = findingSpans([{ id: 2, status: 'fixed', firstSeen: D('05-30') }, { id: 3, status: 'open', firstSeen: D('05-31') }], changes, points);
    expect([...spans]).toEqual([[2, [0, 1]], [3, [1]]]);
  });
});
