// The embedded presets must match the papers' prompt files in ../shared/data/prompts, label by MEANING (the files'
// numeric ids differ between papers: ZeroGen imdb "0" is positive, SunGen yelp "0" is negative, subj "0" objective).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AMAZON_CATEGORIES, DEFAULT_TASK_ID, findTaskPreset, TASK_PRESETS } from '../../src/core/tasks/presets.ts';
import { validateTask } from '../../src/core/tasks/validate.ts';
import { sharedPath } from '../shared-path.ts';

const ROOT = sharedPath('data/prompts');
type TaskFile = { labels: Record<string, { instruction: string; counter_labels?: string[] }> };
const read = (rel: string): TaskFile => JSON.parse(readFileSync(`${ROOT}/${rel}`, 'utf8'));
const toOurs = (instruction: string) => instruction.replace(/<C>|<X1>/g, '{context}');

/** preset id → file, stage-1 file (context prompt), and our label name → the file's label id of that meaning. */
const MAPPING: { id: string; x2: string; x1?: string; labels: Record<string, string> }[] = [
  { id: 'imdb', x2: 'zerogen/tasks/imdb/imdb-x2.json', x1: 'zerogen/tasks/imdb/imdb-x1.json', labels: { positive: '0', negative: '1' } },
  { id: 'sst-2', x2: 'zerogen/tasks/sst-2/sst-2-x2.json', x1: 'zerogen/tasks/sst-2/sst-2-x1.json', labels: { positive: '0', negative: '1' } },
  { id: 'rotten-tomatoes', x2: 'zerogen/tasks/sst-2/sst-2-x2.json', x1: 'zerogen/tasks/sst-2/sst-2-x1.json', labels: { positive: '0', negative: '1' } },
  { id: 'amazon-elec', x2: 'sungen/tasks/amazon/elec-x2.json', labels: { positive: '0', negative: '1' } },
  { id: 'yelp', x2: 'sungen/tasks/yelp/yelp-x2.json', x1: 'sungen/tasks/yelp/yelp-x1.json', labels: { positive: '1', negative: '0' } },
  { id: 'subj', x2: 'sungen/tasks/subj/subj-x2.json', x1: 'sungen/tasks/subj/subj-x1.json', labels: { objective: '0', subjective: '1' } },
  { id: 'ag-news', x2: 'sungen/tasks/agnews/agnews-x1.json', labels: { World: '0', Sports: '1', Business: '2', 'Sci/Tech': '3' } },
  {
    id: 'dbpedia',
    x2: 'sungen/tasks/dbpedia/dbpedia-x1.json',
    labels: Object.fromEntries(
      ['Company', 'School', 'Artist', 'Athlete', 'Politician', 'Transportation', 'Building', 'Natural Place', 'Village',
        'Animal', 'Plant', 'Album', 'Film', 'Book'].map((c, i) => [c, String(i)]),
    ),
  },
];

describe('task presets', () => {
  it('are all valid and include the default', () => {
    for (const t of TASK_PRESETS) expect(validateTask(t), t.id).toEqual({ ok: true, task: t });
    expect(findTaskPreset(DEFAULT_TASK_ID)?.labels.map((l) => l.name)).toEqual(['happy', 'sad']);
    expect(new Set(TASK_PRESETS.map((t) => t.id)).size).toBe(TASK_PRESETS.length);
  });

  for (const m of MAPPING) {
    it(`${m.id} matches ${m.x2} by label meaning`, () => {
      const preset = findTaskPreset(m.id)!;
      const file = read(m.x2);
      expect(preset.labels.map((l) => l.name).sort()).toEqual(Object.keys(m.labels).sort());
      expect(Object.keys(file.labels).length).toBe(preset.labels.length);
      for (const label of preset.labels) {
        const fileLabel = file.labels[m.labels[label.name]];
        expect(label.prompt, label.name).toBe(toOurs(fileLabel.instruction));
        // The word of the meaning appears in the prompt (guards against swapped ids in MAPPING itself).
        const word = label.name === 'Sci/Tech' ? 'Technology' : label.name;
        expect(label.prompt.toLowerCase()).toContain(word.toLowerCase());
        if (fileLabel.counter_labels && fileLabel.counter_labels.length > 0) {
          const byId = Object.fromEntries(Object.entries(m.labels).map(([n, id]) => [id, n]));
          expect([...(label.counterLabels ?? [])].sort()).toEqual(fileLabel.counter_labels.map((id) => byId[id]).sort());
        }
      }
      if (m.x1) expect(preset.context?.prompt).toBe(read(m.x1).labels['0'].instruction);
    });
  }

  it('Amazon Elec uses category_names.txt as fixed contexts', () => {
    const names = readFileSync(`${ROOT}/sungen/tasks/amazon/category_names.txt`, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
    expect(AMAZON_CATEGORIES).toEqual(names);
    expect(findTaskPreset('amazon-elec')!.context?.values).toEqual(names);
  });
});
